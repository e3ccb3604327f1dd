using Microsoft.ML.OnnxRuntime;

namespace TTScale.Onnx;

/// <summary>Where a model runs: <c>cpu</c> (the default) or <c>cuda[:N]</c>.</summary>
public sealed record ExecutionDevice(string Provider, int DeviceId)
{
    /// <summary>The CPU.</summary>
    public static ExecutionDevice Cpu { get; } = new("cpu", 0);

    /// <summary>
    /// Threads each ONNX Runtime session on this device uses inside one operator; 0 (the default) lets ONNX Runtime choose
    /// (one per physical core).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, or one above <see cref="MaxIntraOpThreads"/>.</exception>
    public int IntraOpThreads
    {
        get;
        init => field = value is >= 0 and <= MaxIntraOpThreads ? value : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value,
            $"{value} must be 0 (ONNX Runtime's choice) to {MaxIntraOpThreads}; this machine has {Environment.ProcessorCount} logical processors");
    }

    /// <summary>
    /// The most threads a session may be given: ONNX Runtime starts every one it is asked for (100,000 took 16 GB and every
    /// process slot on the machine before a token was run), and past the core count they only wait.
    /// </summary>
    public const int MaxIntraOpThreads = 1024;

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static ExecutionDevice Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new("cuda", 0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out int id) && id >= 0) return new("cuda", id);
        throw new FormatException($"--device '{text}' is not a device: use cpu, cuda or cuda:N");
    }

    /// <summary>Session options for this device.</summary>
    /// <exception cref="NotSupportedException">CUDA was asked for but the loaded ONNX Runtime lacks it.</exception>
    public SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = IntraOpThreads };
        // ORT worker threads otherwise spin after each Run, taking the cores the engine needs between passes.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (Provider == "cuda")
        {
            var available = OrtEnv.Instance().GetAvailableProviders();
            if (!available.Contains("CUDAExecutionProvider"))
            {
                options.Dispose();
                throw new NotSupportedException(
                    $"--device {this}: this ONNX Runtime has no CUDA provider (available: {string.Join(", ", available)}); " +
                    "build with -p:OnnxRuntimeGpu=true to use Microsoft.ML.OnnxRuntime.Gpu");
            }
            try
            {
                options.AppendExecutionProvider_CUDA(DeviceId);
            }
            catch (OnnxRuntimeException e)
            {
                options.Dispose();
                throw new NotSupportedException($"--device {this}: CUDA could not start ({e.Message})", e);
            }
        }
        return options;
    }

    /// <summary>An ONNX Runtime session for the graph at <paramref name="path"/> on this device.</summary>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load it; the message names the file.</exception>
    internal InferenceSession OpenSession(string path)
    {
        using var options = CreateSessionOptions();
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: ONNX Runtime cannot load it ({e.Message})", e);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Provider == "cpu" ? "cpu" : $"cuda:{DeviceId}";
}
