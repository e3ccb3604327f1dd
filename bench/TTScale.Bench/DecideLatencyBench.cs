using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using TTScale.Allocation;

namespace TTScale.Bench;

/// <summary>
/// Per-request latency of <c>Decide</c> in steady state (target p99 at most 5 us): every call is timed on its own, so the
/// percentiles printed at the end (<c>// DecideByBin latency ...</c>) are over requests, as a serving stack sees them, where
/// BenchmarkDotNet's own percentiles are over iteration means of many calls. Each call's time includes one timer read
/// (printed beside them). BenchmarkDotNet's Mean is per call.
/// </summary>
[MemoryDiagnoser]
public class DecideLatencyBench
{
    private const int Calls = 1000;
    private const int MaxNanoseconds = 100_000; // calls slower than this share the last bucket

    private SyntheticPolicy _policy = null!;
    private readonly long[] _histogram = new long[MaxNanoseconds + 1]; // calls by whole nanoseconds
    private long _timerNanoseconds;
    private int _next;
    private string _method = ""; // the benchmark this process ran, for the printed line

    [GlobalSetup]
    public void Setup()
    {
        _policy = new SyntheticPolicy();
        // Steady state, as in a server that has decided for a while: the JIT promotes a method to its optimised tier only
        // after its calls pause for 100 ms.
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 200; i++) { DecideByBin(); DecideByFeatures(); }
            Thread.Sleep(300);
        }
        Array.Clear(_histogram);
        long[] empty = new long[10_001];
        for (int i = 0; i < empty.Length; i++) empty[i] = EmptyTimed();
        Array.Sort(empty);
        _timerNanoseconds = empty[empty.Length / 2];
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public double DecideByBin() => DecideTimed(_policy.BinSignals, nameof(DecideByBin));

    [Benchmark(OperationsPerInvoke = Calls)]
    public double DecideByFeatures() => DecideTimed(_policy.FeatureSignals, nameof(DecideByFeatures));

    [GlobalCleanup]
    public void Report()
    {
        long count = _histogram.Sum();
        Console.WriteLine($"// {_method} latency over {count:N0} calls: p50 {Percentile(0.50)} ns, p95 {Percentile(0.95)} ns, p99 {Percentile(0.99)} ns, " +
            $"p99.9 {Percentile(0.999)} ns, max {Percentile(1)}{(_histogram[MaxNanoseconds] > 0 ? "+" : "")} ns (each with one timer read, {_timerNanoseconds} ns)");
    }

    private double DecideTimed(DifficultySignal[] signals, string method)
    {
        _method = method;
        double total = 0;
        for (int c = 0; c < Calls; c++)
        {
            int i = _next = (_next + 1) % signals.Length;
            long start = Stopwatch.GetTimestamp();
            total += _policy.Allocator.Decide(signals[i]).Cost;
            Record(Stopwatch.GetTimestamp() - start);
        }
        return total;
    }

    private static long EmptyTimed()
    {
        long start = Stopwatch.GetTimestamp();
        return Nanoseconds(Stopwatch.GetTimestamp() - start);
    }

    private void Record(long ticks) => _histogram[(int)Math.Min(MaxNanoseconds, Nanoseconds(ticks))]++;

    private static long Nanoseconds(long ticks) => (long)(ticks * 1e9 / Stopwatch.Frequency);

    private long Percentile(double q)
    {
        long count = _histogram.Sum(), rank = Math.Max(1, (long)Math.Ceiling(q * count)), seen = 0;
        for (int ns = 0; ns <= MaxNanoseconds; ns++)
            if ((seen += _histogram[ns]) >= rank) return ns;
        return MaxNanoseconds;
    }
}
