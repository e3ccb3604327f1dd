using BenchmarkDotNet.Attributes;
using TTScale.Compute;
using TTScale.Onnx;
using TTScale.Tasks;

namespace TTScale.Bench;

/// <summary>
/// One round of a beam of 16 as the PRM sees it: 16 texts, each one step past a text scored the round before. The
/// cached PRM reads only the new steps; a PRM with no cache reads every text whole. Prints each side's verifier tokens
/// and FLOPs from the ledger.
/// </summary>
[MemoryDiagnoser]
public class PrmBench
{
    private const int Width = 16;
    private PrmVerifier _whole = null!, _cached = null!;
    private Problem _problem = null!;
    private string[] _before = [], _round = [];
    private ComputeLedger _wholeLedger = new(), _cachedLedger = new();
    private (long Tokens, double Flops) _cachedBefore; // the cached ledger's figures before the measured round

    /// <summary>Steps the texts already have before the measured round.</summary>
    [Params(2, 6)]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string directory = Path.Combine(Path.GetDirectoryName(DemoModel.Directory)!, "arith-prm");
        _whole = PrmVerifier.Load(directory, cacheBytes: 0);
        _cached = PrmVerifier.Load(directory);
        var generated = ArithChainGenerator.Generate(seed: 7, index: 1, level: 5);
        _problem = new Problem("bench", generated.Prompt, generated.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture), AnswerFormat.ArithChain, 5);
        // Sixteen texts that differ from the first step on: the reference solution with its first result nudged.
        var steps = generated.Solution.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string Text(int variant, int count) => string.Concat(steps.Take(count).Select((s, i) => (i == 0 ? s + new string('0', variant % 3) + variant : s) + "\n"));
        _before = [.. Enumerable.Range(0, Width).Select(v => Text(v, Steps))];
        _round = [.. Enumerable.Range(0, Width).Select(v => Text(v, Steps + 1))];
    }

    /// <summary>
    /// The round before, into the cache (for both methods, so that they run in one job and compare). The cache keeps a
    /// search's texts under its ledger, so the round before and the measured round share one, as a search's rounds do.
    /// </summary>
    [IterationSetup]
    public void LastRound()
    {
        _wholeLedger = new ComputeLedger();
        _cachedLedger = new ComputeLedger();
        _cached.ScoreStepsAsync(_problem, _before, _cachedLedger).GetAwaiter().GetResult();
        _cachedBefore = (_cachedLedger.VerifierTokens, _cachedLedger.VerifierFlops);
    }

    [Benchmark(Baseline = true)]
    public IReadOnlyList<IReadOnlyList<float>> Whole() => _whole.ScoreStepsAsync(_problem, _round, _wholeLedger).GetAwaiter().GetResult();

    [Benchmark]
    public IReadOnlyList<IReadOnlyList<float>> Cached() => _cached.ScoreStepsAsync(_problem, _round, _cachedLedger).GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_wholeLedger.VerifierCalls > 0)
            Console.WriteLine($"// whole at {Steps} steps before: {_wholeLedger.VerifierTokens} verifier tokens, {_wholeLedger.VerifierFlops:E3} verifier FLOPs per round");
        if (_cachedLedger.VerifierTokens > _cachedBefore.Tokens)
            Console.WriteLine($"// cached at {Steps} steps before: {_cachedLedger.VerifierTokens - _cachedBefore.Tokens} verifier tokens, "
                + $"{_cachedLedger.VerifierFlops - _cachedBefore.Flops:E3} verifier FLOPs per round");
        _whole.Dispose();
        _cached.Dispose();
    }
}
