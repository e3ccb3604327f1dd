namespace TTScale.Onnx;

/// <summary>How an <see cref="OnnxGenerator"/> runs.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Where the model runs.</summary>
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Cpu;

    /// <summary>The text around every prompt (a chat model's turn markers); null: the model's config.json <c>prompt_template</c>, if any.</summary>
    public PromptTemplate? PromptTemplate { get; init; }

    /// <summary>Most rows in one batched forward pass; further requests wait their turn.</summary>
    public int MaxBatchRows { get; init; } = 64;

    /// <summary>Most requests waiting to be scheduled; submitting more waits (back-pressure).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>
    /// Finished rows stay in the batch (fed a masked pad token) until they make up this share of it; then the batch is
    /// compacted. Compacting copies the whole KV, so doing it at every finish would cost more than the wasted rows.
    /// </summary>
    public double CompactWhenDeadShare { get; init; } = 0.25;
}
