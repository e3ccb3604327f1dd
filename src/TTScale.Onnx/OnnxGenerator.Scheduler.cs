using System.Diagnostics;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using TTScale.Generation;

namespace TTScale.Onnx;

public sealed partial class OnnxGenerator
{
    /// <summary>
    /// The scheduler: admits queued requests up to the batch-row limit and steps every admitted row together. It runs on
    /// its own thread: busy for as long as work is queued, on a thread-pool thread it would starve the callers'
    /// continuations (on 2 cores a 20 ms delay in a caller took 820 ms).
    /// </summary>
    private void Run()
    {
        var waiting = new Queue<Request>();
        var active = new List<Request>();
        while (!_shutdown.IsCancellationRequested) // disposing fails what is queued or running, not runs it to the end
        {
            if (active.Count == 0 && waiting.Count == 0)
            {
                try
                {
                    if (!_queue.Reader.WaitToReadAsync(_shutdown.Token).AsTask().GetAwaiter().GetResult()) break; // idle: block this thread
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            while (_queue.Reader.TryRead(out var queued)) waiting.Enqueue(queued);
            foreach (var request in waiting.Where(r => r.Cancellation.IsCancellationRequested).ToList()) Cancel(request);
            if (waiting.Count(r => r.Done.Task.IsCompleted) is > 0 and int done)
            {
                _queueSlots.Release(done);
                waiting = new Queue<Request>(waiting.Where(r => !r.Done.Task.IsCompleted));
            }
            int rows = active.Sum(r => r.Rows.Length);
            // A request larger than the limit still runs, alone.
            while (waiting.Count > 0 && (active.Count == 0 || rows + waiting.Peek().Rows.Length <= _options.MaxBatchRows))
            {
                var admitted = waiting.Dequeue();
                _queueSlots.Release();
                active.Add(admitted);
                rows += admitted.Rows.Length;
            }
            foreach (var request in active.Where(r => r.Cancellation.IsCancellationRequested).ToList())
            {
                Cancel(request);
                active.Remove(request);
            }
            if (active.Count == 0) continue;
            try
            {
                long started = Stopwatch.GetTimestamp();
                using (Ledger.Time()) Step(active);
                Interlocked.Add(ref _stepTicks, Stopwatch.GetElapsedTime(started).Ticks);
            }
            catch (Exception e)
            {
                foreach (var request in active) Complete(request, e);
                active.Clear();
                continue;
            }
            foreach (var request in active.Where(r => r.Finished).ToList())
            {
                Complete(request, null);
                active.Remove(request);
            }
        }
        var error = Disposed();
        foreach (var request in active.Concat(waiting)) Complete(request, error);
        while (_queue.Reader.TryRead(out var left)) Complete(left, error);
    }

    private void Cancel(Request request)
    {
        foreach (var row in request.Rows) row.Sequence.EndCall();
        request.Done.TrySetCanceled(request.Cancellation);
    }

    private void Complete(Request request, Exception? error)
    {
        foreach (var row in request.Rows) row.Sequence.EndCall();
        request.Ledger?.AddWallTime(Stopwatch.GetElapsedTime(request.Submitted));
        if (error is not null)
        {
            request.Done.TrySetException(error);
            return;
        }
        request.Done.TrySetResult(request.Rows.Select(r => new Completion(r.Sequence, r.Generated.ToArray(), r.LogProbs.ToArray(),
            Decode(r.Generated), r.Reason ?? FinishReason.MaxTokens)).ToArray());
    }

    /// <summary>One iteration: sample a token for every row that has logits, then one forward pass per group of rows that need one.</summary>
    private void Step(List<Request> active)
    {
        var rows = active.SelectMany(r => r.Rows).Where(r => !r.Finished).ToList();
        foreach (var row in rows.Where(r => r.Request.Sampling is not null && r.Sequence.Pending == 0)) SampleNext(row);

        var needForward = rows.Where(r => !r.Finished && r.Sequence.Pending > 0).ToList();
        var decode = needForward.Where(r => r.Sequence.Pending == 1).ToList();
        var fresh = needForward.Where(r => r.Sequence.Pending > 1 && r.Sequence.CachedLength == 0).ToList();
        var byPending = needForward.Where(r => r.Sequence.Pending > 1 && r.Sequence.CachedLength > 0).GroupBy(r => r.Sequence.Pending);

        // Rows that just stopped may still sit in the batch that moves on; copy them out so it can be freed.
        var stopped = rows.Where(r => r.Finished && r.Sequence.Kv is not null).ToList();
        var moving = decode.Select(r => r.Sequence.Kv?.Storage).Where(s => s is not null).ToHashSet();
        var leaving = stopped.Where(r => moving.Contains(r.Sequence.Kv!.Storage)).ToList();
        if (leaving.Count > 0) Gather(leaving);

        if (decode.Count > 0) Forward(decode, reuseBatch: true);
        if (fresh.Count > 0) Forward(fresh, reuseBatch: false);
        foreach (var group in byPending) Forward(group.ToList(), reuseBatch: false);

        long logical = LogicalKvBytes();
        Ledger.ObserveKv(_kv.TakePeak(), logical);
        // A ledger's physical peak rose as storages were charged to it (KvStorage.Charge); the step adds its mean.
        foreach (var request in active.Where(r => r.Ledger is not null))
        {
            var sequences = request.Rows.Select(r => r.Sequence).ToList();
            request.Ledger!.ObserveKv(request.Ledger.HeldPhysicalKvBytes, PrefixSegment.UniqueTokens(sequences) * Cost.KvBytesPerToken);
        }
    }

    private void SampleNext(Row row)
    {
        var sequence = row.Sequence;
        var options = row.Request.Sampling!;
        if (sequence.Length >= ContextLength)
        {
            row.Reason = FinishReason.ContextFull;
            return;
        }
        int token = Sampler.Sample(sequence.NextLogits, options, ref sequence.Random, out float logProb);
        Ledger.AddSampled(1);
        row.Request.Ledger?.AddSampled(1);
        if (options.StopOnEos && Config.EosTokenIds.Contains(token))
        {
            row.Reason = FinishReason.Eos;
            return;
        }
        sequence.AppendSampled(token);
        row.Generated.Add(token);
        row.LogProbs.Add(logProb);
        if (options.StopStrings.Count > 0)
        {
            string text = Decode(row.Generated);
            if (options.StopStrings.Any(s => text.Contains(s, StringComparison.Ordinal)))
            {
                row.Reason = FinishReason.Stop;
                return;
            }
        }
        if (row.Generated.Count >= row.MaxTokens) row.Reason = FinishReason.MaxTokens;
    }

    /// <summary>Copies the rows' caches into one new storage, row i in slot i, and moves each sequence onto its copy.</summary>
    private KvStorage Gather(List<Row> rows)
    {
        var views = rows.Select(r => r.Sequence.Kv).ToList();
        var storage = KvStorage.Gather(views, views.Max(v => v?.Length ?? 0), _graph.Layers, _graph.KvHeads, _graph.HeadDim, _graph.KvType, _kv)
            .Charge([.. rows.Select(r => r.Request.Ledger)]);
        for (int i = 0; i < rows.Count; i++)
            if (views[i] is KvView view) rows[i].Sequence.MoveCache(new KvView(storage, i, view.Length));
        return storage;
    }

    /// <summary>
    /// One batched forward pass over <paramref name="rows"/>. Decode rows that already sit in one storage, in distinct rows,
    /// run on it directly (no copy) while the unused rows are few; otherwise their caches are gathered into a new batch.
    /// </summary>
    private void Forward(List<Row> rows, bool reuseBatch)
    {
        KvStorage? past;
        int[] slots = new int[rows.Count];
        var first = rows[0].Sequence.Kv?.Storage;
        bool reuse = reuseBatch && first is not null
            && rows.All(r => r.Sequence.Kv?.Storage == first)
            && rows.Select(r => r.Sequence.Kv!.Row).Distinct().Count() == rows.Count
            && first.Batch - rows.Count <= _options.CompactWhenDeadShare * first.Batch;
        int batch;
        if (reuse)
        {
            past = first;
            batch = first!.Batch;
            for (int i = 0; i < rows.Count; i++) slots[i] = rows[i].Sequence.Kv!.Row;
        }
        else if (rows.All(r => r.Sequence.Kv is null))
        {
            past = null;
            batch = rows.Count;
            for (int i = 0; i < rows.Count; i++) slots[i] = i;
        }
        else
        {
            past = Gather(rows);
            batch = rows.Count;
            for (int i = 0; i < rows.Count; i++) slots[i] = i;
        }
        RunPass(rows, slots, batch, past);
    }

    private void RunPass(List<Row> rows, int[] slots, int batch, KvStorage? past)
    {
        int pastLength = past?.Length ?? 0;
        int width = rows.Max(r => r.Sequence.Pending);
        int total = pastLength + width;
        var inputIds = new long[batch * width];
        var mask = new long[batch * total];
        var positions = new long[batch * width];
        Array.Fill(inputIds, _padTokenId);
        for (int i = 0; i < rows.Count; i++)
        {
            var sequence = rows[i].Sequence;
            int slot = slots[i], cached = sequence.CachedLength, pending = sequence.Pending;
            // Cached positions are right-aligned in the past; new tokens are right-aligned in the input window.
            for (int t = pastLength - cached; t < pastLength; t++) mask[slot * total + t] = 1;
            for (int j = 0; j < pending; j++)
            {
                int column = width - pending + j;
                inputIds[slot * width + column] = sequence.Tokens[cached + j];
                positions[slot * width + column] = cached + j;
                mask[slot * total + pastLength + column] = 1;
            }
        }

        IDisposableReadOnlyCollection<OrtValue> outputs;
        using (var feed = _graph.Inputs.Feed(inputIds, mask, positions, batch, past?.Tensors))
        using (var options = new RunOptions())
        {
            long started = Stopwatch.GetTimestamp();
            outputs = _graph.Session.Run(options, _graph.Inputs.Names, feed.Values, _graph.OutputNames);
            Interlocked.Add(ref _runTicks, Stopwatch.GetElapsedTime(started).Ticks);
        }

        var logits = outputs[0];
        int vocab = (int)logits.GetTensorTypeAndShape().Shape[2];
        var present = new KvStorage([.. outputs.Skip(1)], batch, total, _graph.KvHeads, _graph.HeadDim, _graph.KvElementBytes, _kv)
            .Charge([.. rows.Select(r => r.Request.Ledger)]); // dead rows of a reused batch fall to the live ones
        bool halfLogits = _graph.LogitsType == TensorElementType.Float16;
        var halves = halfLogits ? logits.GetTensorDataAsSpan<Float16>() : default;
        var floats = halfLogits ? default : logits.GetTensorDataAsSpan<float>();
        // The engine reads the weights once for the whole pass. A request's ledger pays them once, shared among its own
        // rows only: rows of other requests in the pass do not lower it, so a problem's bytes moved (and eFLOPs) are what
        // it would cost alone, not a figure that depends on what the scheduler happened to run beside it.
        var rowsOf = rows.CountBy(r => r.Request).ToDictionary();
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var sequence = row.Sequence;
            int slot = slots[i], cached = sequence.CachedLength, pending = sequence.Pending;
            int offset = (slot * width + width - 1) * vocab;
            float[] next = new float[vocab];
            if (halfLogits)
                for (int v = 0; v < vocab; v++) next[v] = halves[offset + v].ToFloat();
            else
                floats.Slice(offset, vocab).CopyTo(next);
            long prompt = pending - Math.Min(sequence.PendingSampled, pending);
            double flops = Cost.FlopsForTokens(cached, pending);
            double kvRead = (double)Cost.KvBytesPerToken * (cached + pending);
            Ledger.AddProcessed(prompt, flops, (double)Cost.WeightBytes / rows.Count, kvRead);
            row.Request.Ledger?.AddProcessed(prompt, flops, (double)Cost.WeightBytes / rowsOf[row.Request], kvRead);
            sequence.Processed(new KvView(present, slot, cached + pending), next);
        }
        logits.Dispose();
        Ledger.AddForwardPass();
        foreach (var request in rowsOf.Keys) request.Ledger?.AddForwardPass();
    }
}
