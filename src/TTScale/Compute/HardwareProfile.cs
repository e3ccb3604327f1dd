namespace TTScale.Compute;

/// <summary>
/// A machine's peak compute and memory bandwidth. Their ratio, the arithmetic intensity at the ridge point, converts
/// bytes moved into FLOP-equivalents: <c>eFLOPs = FLOPs + I * bytes</c>.
/// </summary>
/// <param name="Name">The profile's name, as given on the command line.</param>
/// <param name="PeakFlopsPerSecond">Peak FLOP/s in the precision the profile names.</param>
/// <param name="BytesPerSecond">Peak memory bandwidth.</param>
public sealed record HardwareProfile(string Name, double PeakFlopsPerSecond, double BytesPerSecond)
{
    /// <summary>FLOPs the machine could do in the time it moves one byte.</summary>
    public double FlopsPerByte => PeakFlopsPerSecond / BytesPerSecond;

    /// <summary>A 2-core laptop/CI CPU: ~50 GFLOP/s fp32 (measured with PyTorch matmul here), ~20 GB/s DRAM.</summary>
    public static HardwareProfile CpuLocal { get; } = new("cpu-local", 50e9, 20e9);

    /// <summary>NVIDIA H100 SXM: 989 TFLOP/s dense BF16, 3.35 TB/s HBM3.</summary>
    public static HardwareProfile H100Bf16 { get; } = new("h100-bf16", 989e12, 3.35e12);

    /// <summary>NVIDIA H200 SXM: 989 TFLOP/s dense BF16, 4.8 TB/s HBM3e.</summary>
    public static HardwareProfile H200Bf16 { get; } = new("h200-bf16", 989e12, 4.8e12);

    /// <summary>The named profiles.</summary>
    public static IReadOnlyList<HardwareProfile> All { get; } = [CpuLocal, H100Bf16, H200Bf16];

    /// <summary>The profile called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No profile has that name; the message lists the known ones.</exception>
    public static HardwareProfile Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown hardware profile '{name}': use one of {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}
