using TTScale.Compute;
using TTScale.Generation;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

public sealed class OnnxGeneratorTests : IDisposable
{
    private const string Prompt = "Q: 5 +8 +5\n";
    private readonly OnnxGenerator _lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));

    public void Dispose() => _lm.Dispose();

    private static SamplingOptions Sampled(int maxTokens = 24) => new() { Temperature = 1.0, MaxTokens = maxTokens, StopOnEos = false };

    [Theory]
    [InlineData("tiny-lm-fp32", 1e-4f)]
    [InlineData("tiny-lm-fp16", 2e-2f)]
    [InlineData("tiny-lm-merged", 1e-4f, "tiny-lm-fp32")] // use_cache_branch: false on the first pass, true after
    public async Task PrefillThenOneTokenAtATimeMatchesTheGoldenCachedLogits(string fixture, float tolerance, string? goldenOf = null)
    {
        using var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", fixture));
        var golden = Fixtures.Golden(goldenOf ?? fixture);
        int[] ids = golden.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int prefill = golden.GetProperty("prefill_length").GetInt32();
        var cached = Fixtures.Matrix(golden.GetProperty("cached_logits"));
        using var sequence = (OnnxSequence)lm.Start(golden.GetProperty("text").GetString()![..(prefill - 1)], seed: 1);
        Assert.Equal(ids[..prefill], sequence.Tokens);
        await lm.PrefillAsync([sequence]);
        AssertClose(cached[prefill - 1], sequence.NextLogits!, tolerance);
        for (int t = prefill; t < ids.Length; t++)
        {
            sequence.Append([ids[t]]);
            await lm.PrefillAsync([sequence]);
            AssertClose(cached[t], sequence.NextLogits!, tolerance);
        }
    }

    [Fact]
    public void NeitherAPromptNorAnAppendMayFillTheContext()
    {
        int context = _lm.ContextLength;
        string tooLong = Prompt + new string('1', context);
        Assert.Contains($"the context holds {context}", Assert.Throws<ArgumentException>(() => _lm.Start(tooLong, seed: 1)).Message);
        using var sequence = _lm.Start(Prompt, seed: 1);
        int room = context - 1 - sequence.Length;
        var e = Assert.Throws<ArgumentException>(() => sequence.Append(_lm.Encode(new string('1', room + 1))));
        Assert.Contains($"the context holds {context}", e.Message);
        sequence.Append(_lm.Encode(new string('1', room))); // one token of room left: fine
        Assert.Equal(context - 1, sequence.Length);
    }

    [Fact]
    public async Task EveryEndOfSequenceTokenStopsGeneration()
    {
        using var first = _lm.Start(Prompt, seed: 1);
        var free = (await _lm.GenerateAsync([first], SamplingOptions.Greedy with { MaxTokens = 24 }))[0];
        Assert.Equal(FinishReason.MaxTokens, free.Reason); // the fixture's greedy text never reaches <eos> (2)
        int stop = free.Tokens[5], at = free.Tokens.ToList().IndexOf(stop);

        // A second end-of-sequence token, as Llama 3 configs list them, from generation_config.json.
        string directory = Directory.CreateTempSubdirectory("ttscale-eos-").FullName;
        try
        {
            Fixtures.CopyTo("tiny-lm-fp32", directory);
            File.WriteAllText(Path.Combine(directory, "generation_config.json"), $$"""{"eos_token_id": [2, {{stop}}]}""");
            using var lm = OnnxGenerator.Load(directory);
            Assert.Equal([2, stop], lm.Config.EosTokenIds);
            using var second = lm.Start(Prompt, seed: 1);
            var stopped = (await lm.GenerateAsync([second], SamplingOptions.Greedy with { MaxTokens = 24 }))[0];
            Assert.Equal(FinishReason.Eos, stopped.Reason);
            Assert.Equal(free.Tokens.Take(at), stopped.Tokens);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task CachedGreedyDecodingEqualsFullRecomputation()
    {
        using var sequence = _lm.Start(Prompt, seed: 1);
        var completion = (await _lm.GenerateAsync([sequence], SamplingOptions.Greedy with { MaxTokens = 64, StopOnEos = false }))[0];
        Assert.Equal(64, completion.Tokens.Count);
        var tokens = sequence.Tokens.ToList();
        int promptLength = tokens.Count - 64;
        for (int step = 0; step < 64; step++)
        {
            using var fresh = (OnnxSequence)_lm.Start(Prompt, seed: 1);
            fresh.Append(tokens[promptLength..(promptLength + step)]);
            await _lm.PrefillAsync([fresh]);
            Assert.Equal(tokens[promptLength + step], Sampler.ArgMax(fresh.NextLogits));
        }
    }

    [Fact]
    public async Task BatchedEqualsUnbatchedForTheSameSeeds()
    {
        var prompts = new[] { Prompt, "Q: 12 -3\n", "Q: 7 x2 +100 -9\n", "Q: 1\n" };
        var alone = new List<string>();
        for (int i = 0; i < prompts.Length; i++)
        {
            using var s = _lm.Start(prompts[i], seed: 100 + i);
            alone.Add((await _lm.GenerateAsync([s], Sampled()))[0].Text);
        }
        var batch = prompts.Select((p, i) => _lm.Start(p, seed: 100 + i)).ToList();
        var together = await _lm.GenerateAsync(batch, Sampled());
        Assert.Equal(alone, together.Select(c => c.Text));
        batch.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task EachSequenceStopsAtItsOwnTokenLimitWithTheTextItWouldHaveAlone()
    {
        int[] limits = [3, 17, 8];
        var alone = new List<string>();
        for (int i = 0; i < limits.Length; i++)
        {
            using var s = _lm.Start(Prompt, seed: 200 + i);
            alone.Add((await _lm.GenerateAsync([s], Sampled(limits[i])))[0].Text);
        }
        var batch = limits.Select((_, i) => _lm.Start(Prompt, seed: 200 + i)).ToList();
        var together = await _lm.GenerateAsync(batch, limits, Sampled(1));
        Assert.Equal(limits, together.Select(c => c.Tokens.Count));
        Assert.Equal(alone, together.Select(c => c.Text));
        Assert.Contains("maxTokens", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _lm.GenerateAsync(batch, [3, 0, 8], Sampled()))).Message);
        Assert.Contains("3 token limits for 2 sequences", (await Assert.ThrowsAsync<ArgumentException>(() => _lm.GenerateAsync(batch[..2], limits, Sampled()))).Message);
        batch.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task TokensAppendedAfterASampleAreChargedAsPromptAndTheSampleOnlyAsGenerated()
    {
        // A generation stopped by its limit leaves its last sampled token unread; text appended after it (a revision's
        // separator) is read with it in the next pass, and only the appended tokens are prompt.
        var ledger = new ComputeLedger();
        using var s = _lm.Start(Prompt, seed: 3);
        int prompt = s.Length;
        await _lm.GenerateAsync([s], Sampled(5), ledger);
        var appended = _lm.Encode("R:\n");
        s.Append(appended);
        await _lm.GenerateAsync([s], Sampled(2), ledger);
        Assert.Equal(prompt + appended.Count, ledger.PromptTokens);
        Assert.Equal(7, ledger.GeneratedTokens);
    }

    [Fact]
    public async Task ConcurrentCallersGetTheSameResultsAsAlone()
    {
        var expected = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            using var s = _lm.Start(Prompt, seed: i);
            expected.Add((await _lm.GenerateAsync([s], Sampled()))[0].Text);
        }
        var calls = Enumerable.Range(0, 6).Select(async i =>
        {
            using var s = _lm.Start(Prompt, seed: i);
            return (await _lm.GenerateAsync([s], Sampled())).Single().Text;
        });
        Assert.Equal(expected, await Task.WhenAll(calls));
    }

    [Fact]
    public async Task RequestsBeyondTheBatchLimitWaitTheirTurnAndGiveTheSameResults()
    {
        using var narrow = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"), new GeneratorOptions { MaxBatchRows = 2, QueueCapacity = 1 });
        async Task<string[]> Run(OnnxGenerator lm, int call)
        {
            var rows = new[] { lm.Start(Prompt, seed: 2 * call), lm.Start(Prompt, seed: 2 * call + 1) };
            var completions = await lm.GenerateAsync(rows, Sampled());
            foreach (var r in rows) r.Dispose();
            return completions.Select(c => c.Text).ToArray();
        }
        var wide = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Run(_lm, i)));
        var limited = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Run(narrow, i)));
        Assert.Equal(wide, limited);
    }

    [Fact]
    public async Task AForkContinuesExactlyAsAFreshlyPrefilledCopy()
    {
        using var parent = _lm.Start(Prompt, seed: 3);
        await _lm.GenerateAsync([parent], Sampled(maxTokens: 10));
        await _lm.PrefillAsync([parent]); // the last sampled token is not in the cache until processed
        using var fork = (OnnxSequence)parent.Fork(seed: 42);
        using var copy = (OnnxSequence)_lm.Start(Prompt, seed: 42);
        copy.Append(parent.Tokens.Skip(copy.Length).ToList());
        await _lm.PrefillAsync([copy]);
        AssertClose(copy.NextLogits!, fork.NextLogits!, 1e-5f);
        var results = await _lm.GenerateAsync([fork, copy], Sampled());
        Assert.Equal(results[1].Tokens, results[0].Tokens);
        Assert.Equal(parent.Length + results[0].Tokens.Count, fork.Length);
    }

    [Fact]
    public async Task RowsOfDifferentLengthsGiveTheSameLogitsAsAlone()
    {
        string[] prompts = ["Q: 1\n", "Q: 123 +456 -78 x2\n", "Q: 9 +9\n"];
        var alone = new List<float[]>();
        foreach (var p in prompts)
        {
            using var s = (OnnxSequence)_lm.Start(p, seed: 1);
            s.Append(_lm.Encode("12+3=15\n"));
            await _lm.PrefillAsync([s]);
            alone.Add(s.NextLogits!);
        }
        // First prefill the prompts together (left-padded), then append the same text to each and run them as one batch.
        var together = prompts.Select(p => (OnnxSequence)_lm.Start(p, seed: 1)).ToList();
        await _lm.PrefillAsync(together);
        foreach (var s in together) s.Append(_lm.Encode("12+3=15\n"));
        await _lm.PrefillAsync(together);
        for (int i = 0; i < prompts.Length; i++) AssertClose(alone[i], together[i].NextLogits!, 1e-5f);
        // Decode steps with three different cache lengths in one batch.
        var greedy = SamplingOptions.Greedy with { MaxTokens = 12, StopOnEos = false };
        var batched = await _lm.GenerateAsync(together, greedy);
        for (int i = 0; i < prompts.Length; i++)
        {
            using var s = _lm.Start(prompts[i], seed: 1);
            s.Append(_lm.Encode("12+3=15\n"));
            Assert.Equal((await _lm.GenerateAsync([s], greedy))[0].Tokens, batched[i].Tokens);
        }
        together.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task StopStringsEndAStepAndTheNextCallContinuesFromIt()
    {
        using var s = _lm.Start(Prompt, seed: 5);
        var options = Sampled(maxTokens: 40) with { StopStrings = ["5"] };
        var first = (await _lm.GenerateAsync([s], options))[0];
        if (first.Reason == FinishReason.Stop) Assert.EndsWith("5", first.Text);
        else Assert.DoesNotContain("5", first.Text);
        int length = s.Length;
        var second = (await _lm.GenerateAsync([s], options))[0];
        Assert.Equal(length + second.Tokens.Count, s.Length);
    }

    [Fact]
    public async Task BestOfSixteenPrefillsThePromptOnce()
    {
        var shared = new ComputeLedger();
        using var root = _lm.Start(Prompt, seed: 0);
        await _lm.PrefillAsync([root], shared);
        var forks = Enumerable.Range(0, 16).Select(i => root.Fork(i)).ToList();
        await _lm.GenerateAsync(forks, Sampled(maxTokens: 8), shared);

        var independent = new ComputeLedger();
        var separate = Enumerable.Range(0, 16).Select(i => _lm.Start(Prompt, seed: i)).ToList();
        await _lm.GenerateAsync(separate, Sampled(maxTokens: 8), independent);

        Assert.Equal(root.Length, shared.PromptTokens);
        Assert.Equal(16 * root.Length, independent.PromptTokens);
        Assert.Equal(16 * 8, shared.GeneratedTokens);
        double prefillFlops = _lm.Cost.FlopsForTokens(0, root.Length);
        Assert.Equal(15 * prefillFlops, independent.Flops - shared.Flops, 1e-6 * independent.Flops);
        Assert.True(shared.PeakLogicalKvBytes < shared.PeakPhysicalKvBytes, "forks share their prompt logically but each row holds a copy");
        forks.ForEach(f => f.Dispose());
        separate.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task LedgerMatchesHandComputedFiguresForTheFixture()
    {
        // Fixture: 2 layers, 4 heads, 2 KV heads, head size 16, 80448 non-embedding parameters, fp32.
        Assert.Equal(2 * 2 * 2 * 16 * 4, _lm.Cost.KvBytesPerToken);
        var ledger = new ComputeLedger();
        using var s = _lm.Start("Q: 5\n", seed: 1); // <bos> + 5 characters = 6 tokens
        await _lm.PrefillAsync([s], ledger);
        // 6 tokens * 2 * 80448, plus attention 4 * 2 * 4 * 16 * (1 + 2 + ... + 6).
        Assert.Equal(6 * 2.0 * 80448 + 4.0 * 2 * 4 * 16 * 21, ledger.Flops);
        Assert.Equal(6, ledger.PromptTokens);
        Assert.Equal(1, ledger.ForwardPasses);
        Assert.Equal(80448 * 4, ledger.WeightBytesRead); // the non-embedding weights: the input embedding is gathered, not read whole
        Assert.Equal(6 * 512, ledger.PeakLogicalKvBytes);
        Assert.Equal(6 * 512, ledger.MeanLogicalKvBytes); // one step observed so far
        await _lm.GenerateAsync([s], SamplingOptions.Greedy with { MaxTokens = 2, StopOnEos = false }, ledger);
        // Two sampled tokens; the first is fed back (7th position, attending to 7), the last is left pending.
        Assert.Equal(2, ledger.GeneratedTokens);
        Assert.Equal(2, ledger.ForwardPasses);
        Assert.Equal(7 * 2.0 * 80448 + 4.0 * 2 * 4 * 16 * 28, ledger.Flops);
        var report = ledger.Report(HardwareProfile.H100Bf16);
        Assert.Equal(report.TotalFlops + HardwareProfile.H100Bf16.FlopsPerByte * report.BytesMoved, report.EFlops);
    }

    [Fact]
    public async Task ARequestsWeightReadsDoNotDependOnTheRequestsBatchedBesideIt()
    {
        // The same request alone, then beside another of 3 rows in the same passes: the engine reads the weights once a
        // pass, and each request pays them for its own rows, so a problem's bytes moved do not depend on its neighbours.
        var options = SamplingOptions.Greedy with { MaxTokens = 8, StopOnEos = false };
        var alone = new ComputeLedger();
        using (var s = _lm.Start(Prompt, seed: 1)) await _lm.GenerateAsync([s], options, alone);

        var beside = new ComputeLedger();
        var other = new ComputeLedger();
        double engineBefore = _lm.Ledger.WeightBytesRead;
        using var s1 = _lm.Start(Prompt, seed: 1);
        var others = Enumerable.Range(0, 3).Select(i => _lm.Start(Prompt, seed: 10 + i)).ToList();
        await Task.WhenAll(_lm.GenerateAsync([s1], options, beside), _lm.GenerateAsync(others, options, other));
        others.ForEach(o => o.Dispose());

        Assert.True(_lm.Ledger.WeightBytesRead - engineBefore < beside.WeightBytesRead + other.WeightBytesRead, "the two requests shared passes");
        Assert.Equal(alone.WeightBytesRead, beside.WeightBytesRead);
        Assert.Equal(alone.Report(HardwareProfile.H100Bf16).EFlops, beside.Report(HardwareProfile.H100Bf16).EFlops);
    }

    [Fact]
    public async Task DisposingEverySequenceReleasesTheCache()
    {
        var root = _lm.Start(Prompt, seed: 1);
        await _lm.PrefillAsync([root]);
        var forks = Enumerable.Range(0, 4).Select(i => root.Fork(i)).ToList();
        await _lm.GenerateAsync(forks, Sampled(maxTokens: 5));
        Assert.True(_lm.PhysicalKvBytes > 0);
        root.Dispose();
        forks.ForEach(f => f.Dispose());
        Assert.Equal(0, _lm.PhysicalKvBytes);
    }

    [Fact]
    public async Task CancellingOneCallLeavesTheOthersIntact()
    {
        using var alone = _lm.Start(Prompt, seed: 9);
        string expected = (await _lm.GenerateAsync([alone], Sampled(maxTokens: 100)))[0].Text;
        using var cts = new CancellationTokenSource();
        using var victim = _lm.Start(Prompt, seed: 8);
        using var survivor = _lm.Start(Prompt, seed: 9);
        var cancelled = _lm.GenerateAsync([victim], Sampled(maxTokens: 100), cancellationToken: cts.Token);
        var kept = _lm.GenerateAsync([survivor], Sampled(maxTokens: 100));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(expected, (await kept)[0].Text);
    }

    [Fact]
    public async Task DisposingFailsQueuedAndRunningCallsInsteadOfRunningThemOut()
    {
        var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-lm"), new GeneratorOptions { MaxBatchRows = 1 });
        var calls = Enumerable.Range(0, 8).Select(i => lm.GenerateAsync([lm.Start(Prompt, i)], Sampled(maxTokens: 480))).ToList();
        await Task.Delay(20);
        lm.Dispose();
        // Running to the end would take 8 x 480 steps; disposing stops after the step under way.
        foreach (var call in calls) await Assert.ThrowsAsync<ObjectDisposedException>(() => call);
    }

    [Fact]
    public async Task AFullQueueMakesCallersWaitToSubmit()
    {
        using var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-lm"), new GeneratorOptions { MaxBatchRows = 1, QueueCapacity = 1 });
        var sequences = Enumerable.Range(0, 5).Select(i => lm.Start(Prompt, i)).ToList();
        var calls = sequences.Select(s => lm.GenerateAsync([s], Sampled(maxTokens: 150))).ToList();
        var queued = new List<int>();
        for (int i = 0; i < 10; i++, await Task.Delay(10)) queued.Add(lm.QueuedRequests);
        // One call runs, one waits in the queue, the other three wait to get in.
        Assert.Equal(1, queued.Max());
        foreach (var completion in await Task.WhenAll(calls)) Assert.Equal(150, completion[0].Tokens.Count);
        Assert.Equal(0, lm.QueuedRequests);
        sequences.ForEach(s => s.Dispose());
    }

    [Fact]
    public void ATokenOutsideTheVocabularyIsRefusedWhenAppended()
    {
        using var s = _lm.Start(Prompt, seed: 1);
        // Fed to the graph it would fail the whole batched pass, and every other caller's rows with it.
        Assert.Contains("outside the vocabulary of 100", Assert.Throws<ArgumentOutOfRangeException>(() => s.Append([100])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Append([5, -1]));
        Assert.Equal(_lm.Start(Prompt, seed: 1).Tokens, s.Tokens); // nothing of a refused append is kept
    }

    [Fact]
    public async Task PeakPhysicalKvCountsThePastAndThePresentOfAStep()
    {
        const int rows = 16, tokens = 20;
        var sequences = Enumerable.Range(0, rows).Select(i => _lm.Start(Prompt, i)).ToList();
        int prompt = sequences[0].Tokens.Count;
        var problem = new ComputeLedger();
        await _lm.GenerateAsync(sequences, Sampled(maxTokens: tokens), problem);
        // The last pass read a past of prompt + tokens - 2 positions and wrote a present one longer, both held at once.
        long past = prompt + tokens - 2;
        Assert.Equal(rows * (2 * past + 1) * _lm.Cost.KvBytesPerToken, _lm.Ledger.PeakPhysicalKvBytes);
        // The caller's ledger sees the same peak (it counted only what its rows held after the step: about half).
        Assert.Equal(_lm.Ledger.PeakPhysicalKvBytes, problem.PeakPhysicalKvBytes);
        sequences.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task AProblemsPhysicalKvIsItsOwnWhateverElseTheEngineHolds()
    {
        // Another problem's cache, held but idle (a search's beams while their rollouts run), is not this problem's:
        // charged by share of the engine's peak, it was (and by what its rows held after the step, half of its own).
        async Task<long> Peak()
        {
            var ledger = new ComputeLedger();
            var rows = Enumerable.Range(0, 4).Select(i => _lm.Start(Prompt, i)).ToList();
            await _lm.GenerateAsync(rows, Sampled(maxTokens: 12), ledger);
            rows.ForEach(r => r.Dispose());
            return ledger.PeakPhysicalKvBytes;
        }
        long alone = await Peak();
        var other = new ComputeLedger();
        var idle = Enumerable.Range(0, 8).Select(i => _lm.Start(Prompt + new string('7', 60), 10 + i)).ToList();
        await _lm.PrefillAsync(idle, other);
        Assert.True(other.HeldPhysicalKvBytes > 0);
        Assert.Equal(alone, await Peak());
        long prompt = _lm.Start(Prompt, 0).Tokens.Count, past = prompt + 12 - 2;
        Assert.Equal(4 * (2 * past + 1) * _lm.Cost.KvBytesPerToken, alone); // its last pass's past and present, together
        idle.ForEach(s => s.Dispose());
        Assert.Equal(0, other.HeldPhysicalKvBytes); // freed with its sequences
    }

    [Fact]
    public async Task InvalidSamplingOptionsNameTheOption()
    {
        using var s = _lm.Start(Prompt, seed: 1);
        Assert.Contains("Temperature", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _lm.GenerateAsync([s], new SamplingOptions { Temperature = -1 }))).Message);
        Assert.Contains("TopP", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _lm.GenerateAsync([s], new SamplingOptions { TopP = 0 }))).Message);
        Assert.Contains("MaxTokens", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _lm.GenerateAsync([s], new SamplingOptions { MaxTokens = 0 }))).Message);
    }

    [Fact]
    public async Task ACallRacingAnotherForOneSequenceIsRefused()
    {
        // The in-flight check and mark were apart: a second call checking in between passed too, sampled into the same
        // sequence and leaked its cache. The first call is held between them, where it reads its token limits.
        var shared = _lm.Start(Prompt, seed: 1);
        var limits = new HeldLimits(4);
        var first = Task.Run(() => _lm.GenerateAsync([shared], limits, Sampled()));
        Assert.True(limits.Reached.Wait(TimeSpan.FromSeconds(30)), "the first call never read its limits");
        var second = _lm.GenerateAsync([shared], Sampled(maxTokens: 4));
        limits.Go.Set();
        Assert.Contains("sequence 0 is already in a generation call", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message);
        Assert.Equal(4, (await first)[0].Tokens.Count);
        shared.Dispose();
        Assert.Equal(0, _lm.PhysicalKvBytes);
    }

    /// <summary>One token limit; the second read of it (the generator's, after the overload's own check) waits for <see cref="Go"/>.</summary>
    private sealed class HeldLimits(int limit) : IReadOnlyList<int>
    {
        private int _reads;
        public ManualResetEventSlim Reached { get; } = new();
        public ManualResetEventSlim Go { get; } = new();
        public int Count => 1;

        public int this[int index]
        {
            get
            {
                if (Interlocked.Increment(ref _reads) == 2)
                {
                    Reached.Set();
                    Go.Wait(TimeSpan.FromSeconds(30));
                }
                return limit;
            }
        }

        public IEnumerator<int> GetEnumerator() { yield return this[0]; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public async Task NullArgumentsAndAStartAfterDisposeAreRefusedByName()
    {
        using var s = _lm.Start(Prompt, seed: 1);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => { _ = _lm.GenerateAsync([s], (SamplingOptions)null!); }).ParamName);
        Assert.Equal("sequences", (await Assert.ThrowsAsync<ArgumentNullException>(() => _lm.GenerateAsync(null!, Sampled()))).ParamName);
        Assert.Equal("sequences", (await Assert.ThrowsAsync<ArgumentNullException>(() => _lm.GenerateAsync(null!, [1], Sampled()))).ParamName);
        Assert.Equal("sequences", (await Assert.ThrowsAsync<ArgumentNullException>(() => _lm.PrefillAsync(null!))).ParamName);
        Assert.Throws<ArgumentNullException>(() => s.Append(null!));
        var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
        lm.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lm.Start(Prompt, seed: 1));
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int v = 0; v < expected.Length; v++)
            Assert.True(Math.Abs(expected[v] - actual[v]) <= tolerance * Math.Max(1f, Math.Abs(expected[v])), $"token {v}: expected {expected[v]}, got {actual[v]}");
    }
}
