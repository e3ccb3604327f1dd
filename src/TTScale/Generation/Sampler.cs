using System.Buffers;
using TTScale.Randomness;

namespace TTScale.Generation;

/// <summary>
/// Draws a token from logits: temperature, then top-k, top-p and min-p truncation, then one uniform draw from the
/// sequence's own random stream. The draw walks tokens in index order, so the result depends only on the logits and
/// the stream, never on the batch a sequence ran in.
/// </summary>
public static class Sampler
{
    /// <summary>Picks the next token.</summary>
    /// <param name="logits">The model's logits for the next position.</param>
    /// <param name="options">Temperature and truncation.</param>
    /// <param name="random">The sequence's stream; advanced by exactly one draw unless greedy.</param>
    /// <param name="logProb">The token's log-probability under the model (temperature 1, no truncation).</param>
    public static int Sample(ReadOnlySpan<float> logits, SamplingOptions options, ref SplitMix64 random, out float logProb)
    {
        // A temperature so small that 1/T overflows is greedy too (scaling by infinity would turn the top logit into NaN).
        int token = options.Temperature <= 0 || double.IsInfinity(1.0 / options.Temperature) ? ArgMax(logits) : Draw(logits, options, ref random);
        logProb = LogSoftmaxAt(logits, token);
        return token;
    }

    /// <summary>The index of the largest logit (the lowest index among ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /// <summary><c>log softmax(logits)[token]</c>.</summary>
    public static float LogSoftmaxAt(ReadOnlySpan<float> logits, int token)
    {
        float max = logits[ArgMax(logits)];
        double sum = 0;
        foreach (float l in logits) sum += Math.Exp(l - max);
        return (float)(logits[token] - max - Math.Log(sum));
    }

    private static int Draw(ReadOnlySpan<float> logits, SamplingOptions options, ref SplitMix64 random)
    {
        int n = logits.Length;
        double[] rented = ArrayPool<double>.Shared.Rent(n);
        try
        {
            return Draw(logits, options, ref random, rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    private static int Draw(ReadOnlySpan<float> logits, SamplingOptions options, ref SplitMix64 random, Span<double> p)
    {
        int n = logits.Length;
        float max = logits[ArgMax(logits)];
        double inverseT = 1.0 / options.Temperature, total = 0;
        for (int i = 0; i < n; i++) total += p[i] = Math.Exp((logits[i] - max) * inverseT);
        for (int i = 0; i < n; i++) p[i] /= total;

        bool truncate = (options.TopK > 0 && options.TopK < n) || options.TopP < 1 || options.MinP > 0;
        if (truncate) Truncate(p, options);

        double mass = 0;
        foreach (double q in p) mass += q;
        double u = random.NextDouble() * mass, cumulative = 0;
        int last = 0;
        for (int i = 0; i < n; i++)
        {
            if (p[i] <= 0) continue;
            last = i;
            cumulative += p[i];
            if (u < cumulative) return i;
        }
        return last; // u landed in the rounding gap at the top
    }

    /// <summary>Zeroes the probabilities that top-k, top-p and min-p rule out; the most likely token always survives.</summary>
    private static void Truncate(Span<double> p, SamplingOptions options)
    {
        int n = p.Length;
        int[] order = MostLikely(p, options.TopK > 0 ? Math.Min(options.TopK, n) : n);
        int keep = order.Length;
        if (options.TopP < 1)
        {
            // Top-p reads the distribution top-k left, renormalised (as Hugging Face and vLLM apply them in turn).
            double left = 0, cumulative = 0;
            for (int r = 0; r < keep; r++) left += p[order[r]];
            for (int r = 0; r < keep; r++)
            {
                cumulative += p[order[r]];
                if (cumulative >= options.TopP * left) { keep = r + 1; break; }
            }
        }
        if (options.MinP > 0)
        {
            double floor = options.MinP * p[order[0]];
            int r = 1;
            while (r < keep && p[order[r]] >= floor) r++;
            keep = r;
        }
        // Everything outside the kept prefix goes (the ranking may hold fewer than n tokens when top-k cut it short).
        var kept = new double[keep];
        for (int r = 0; r < keep; r++) kept[r] = p[order[r]];
        p.Clear();
        for (int r = 0; r < keep; r++) p[order[r]] = kept[r];
    }

    /// <summary>
    /// The <paramref name="k"/> most likely tokens, most likely first, ties by index (so the cut is deterministic).
    /// A size-k heap for a small k (top-k over a large vocabulary costs n log k, not n log n).
    /// </summary>
    private static int[] MostLikely(ReadOnlySpan<double> p, int k)
    {
        int n = p.Length;
        var comparer = Comparer<(double P, int Index)>.Create((a, b) => a.P != b.P ? a.P.CompareTo(b.P) : b.Index.CompareTo(a.Index));
        var heap = new PriorityQueue<int, (double P, int Index)>(k + 1, comparer); // the least likely kept token on top
        for (int i = 0; i < n; i++)
        {
            if (heap.Count < k) heap.Enqueue(i, (p[i], i));
            else if (comparer.Compare((p[i], i), (p[heap.Peek()], heap.Peek())) > 0) heap.EnqueueDequeue(i, (p[i], i));
        }
        var order = new int[heap.Count];
        for (int r = order.Length - 1; r >= 0; r--) order[r] = heap.Dequeue();
        return order;
    }
}
