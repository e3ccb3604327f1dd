using System.Text.Json;

namespace TTScale.Onnx;

/// <summary>
/// A model directory's <c>config.json</c>: TTScale's own names (as the demo models write them) or a Hugging Face
/// config's (<c>num_hidden_layers</c>, <c>num_attention_heads</c>, ...). Missing parameter counts are estimated for a
/// Llama-style decoder. <see cref="EosTokenIds"/> are every end-of-sequence token: <c>eos_token_id</c> may be one id or
/// a list (Llama 3), and a directory's <c>generation_config.json</c> adds its own (as Hugging Face's generate reads them).
/// <see cref="PromptTemplate"/> (<c>prompt_template</c>, TTScale's own) is the text the model reads around a problem;
/// <c>"chat"</c> there renders the directory's chat template for one user turn, after config.json's <c>system_prompt</c>.
/// </summary>
public sealed record ModelConfig(
    int Layers, int Heads, int KvHeads, int HeadDim, int HiddenSize, int VocabSize, int ContextLength,
    long Parameters, long NonEmbeddingParameters, string? Dtype,
    int? BosTokenId, IReadOnlyList<int> EosTokenIds, int? PadTokenId, string? StepDelimiter, string ModelFile, string? TokenizerType, string? VocabFile,
    PromptTemplate? PromptTemplate = null)
{
    /// <summary>
    /// Bytes per stored weight from config.json's <c>dtype</c> (TTScale's field for the ONNX file's weights); null without
    /// one. Hugging Face's <c>torch_dtype</c> is not read: it names the checkpoint's dtype, and an fp32 export of a bf16
    /// checkpoint keeps it.
    /// </summary>
    public int? WeightBytesPerParameter => Dtype is null ? null : DtypeBytes[Dtype];

    /// <summary>The dtypes config.json may name, with their bytes per weight; another would be costed at a guess.</summary>
    private static readonly Dictionary<string, int> DtypeBytes = new()
    {
        ["float32"] = 4, ["fp32"] = 4, ["float16"] = 2, ["fp16"] = 2, ["bfloat16"] = 2, ["bf16"] = 2, ["int8"] = 1, ["uint8"] = 1,
    };

    /// <summary>
    /// Whether the model directory's config.json says <c>"prompt_template": "chat"</c>, without loading the model; a missing
    /// or malformed file says no, and is left to loading to report.
    /// </summary>
    public static bool RunsChatTemplate(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        try
        {
            return File.Exists(path) && JsonFile.ReadObject(path).OptionalString("prompt_template") == PromptTemplate.Chat;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The <c>config.json</c> of the model directory <paramref name="directory"/>.</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="what">What the directory holds, for messages ("model", "PRM").</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist, or is a file.</exception>
    /// <exception cref="FileNotFoundException">It has no config.json.</exception>
    /// <exception cref="InvalidDataException">config.json or generation_config.json is malformed; the message names the file.</exception>
    public static ModelConfig LoadDirectory(string directory, string what)
    {
        if (File.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: a file, not a {what} directory (one holding config.json, the ONNX graph and the tokenizer)");
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: {what} directory not found");
        string path = Path.Combine(directory, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: {what} config not found", path);
        var config = Load(path);
        string generation = Path.Combine(directory, "generation_config.json");
        if (!File.Exists(generation)) return config;
        var more = TokenIds(JsonFile.ReadObject(generation), "eos_token_id", generation);
        // Checked here, where each id's file is still known; config.json's own are checked with the tokenizer's.
        foreach (int id in more)
            if (id < 0 || id >= config.VocabSize)
                throw new InvalidDataException($"{generation}: eos_token_id {id} is outside the vocabulary of {config.VocabSize} (config.json's vocab_size)");
        return config with { EosTokenIds = [.. config.EosTokenIds.Union(more)] };
    }

    /// <summary>The ONNX graph of the model directory <paramref name="directory"/> this config is from.</summary>
    /// <exception cref="FileNotFoundException">It is not there; the message names the file config.json leads to.</exception>
    public string GraphPath(string directory)
    {
        string path = Path.Combine(directory, ModelFile);
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"{path}: ONNX graph not found (config.json's \"onnx\" names the graph file; model.onnx where it has none)", path);
    }

    /// <summary>A field that holds one token id or a list of them (none where it is absent or null).</summary>
    private static int[] TokenIds(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int one)) return [one];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)))
            return [.. v.EnumerateArray().Select(e => e.GetInt32())];
        throw new InvalidDataException($"{path}: '{name}' must be a token id or a list of them");
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or lacks a field; the message names the file and field.</exception>
    public static ModelConfig Load(string path)
    {
        var root = JsonFile.ReadObject(path);

        int Int(params string[] names) => IntOrNull(names) ?? throw new InvalidDataException($"{path}: missing '{names[0]}'");
        int? IntOrNull(params string[] names) => (int?)LongOrNull(int.MinValue, int.MaxValue, names);
        long? LongOrNull(long min, long max, params string[] names)
        {
            foreach (var name in names)
            {
                if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) continue;
                return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long i) && i >= min && i <= max ? i
                    : throw new InvalidDataException($"{path}: '{name}' must be an integer, not {v.GetRawText()}");
            }
            return null;
        }

        int layers = Int("num_layers", "num_hidden_layers", "n_layer");
        int heads = Int("num_heads", "num_attention_heads", "n_head");
        int kvHeads = IntOrNull("num_kv_heads", "num_key_value_heads") ?? heads;
        int hidden = Int("hidden_size", "n_embd");
        if (heads < 1) throw new InvalidDataException($"{path}: heads must be 1 or more, not {heads}");
        int headDim = IntOrNull("head_dim") ?? hidden / heads;
        int vocab = Int("vocab_size");
        int context = Int("context_length", "max_position_embeddings", "n_positions");
        int intermediate = IntOrNull("intermediate_size") ?? 4 * hidden;
        long embedding = (long)vocab * hidden;
        // Llama-style estimate: attention projections, a gated MLP and two norms per layer, a final norm and the output head.
        // The non-embedding count includes the head, tied or not: every pass reads it whole (Hugging Face's leaves a tied
        // head out, so a config's parameters_non_embedding must add it back).
        long estimatedNonEmbedding = layers * ((long)hidden * headDim * (2L * heads + 2L * kvHeads) + 3L * hidden * intermediate + 2L * hidden)
            + hidden + embedding;
        // A tied head is the embedding itself, so the estimate counts it once (as the head, read every pass).
        long parameters = LongOrNull(1, long.MaxValue, "parameters") ?? (root.Flag("tie_word_embeddings") ? 0 : embedding) + estimatedNonEmbedding;
        long nonEmbedding = LongOrNull(0, long.MaxValue, "parameters_non_embedding") ?? estimatedNonEmbedding;
        if (layers < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || heads % kvHeads != 0)
            throw new InvalidDataException($"{path}: inconsistent shape (layers {layers}, heads {heads}, kv heads {kvHeads}, head size {headDim})");
        if (vocab < 1) throw new InvalidDataException($"{path}: vocab_size must be 1 or more, not {vocab}");
        if (context < 1) throw new InvalidDataException($"{path}: context_length must be 1 or more, not {context}");
        string? dtype = root.OptionalString("dtype");
        if (dtype is not null && !DtypeBytes.ContainsKey(dtype))
            throw new InvalidDataException($"{path}: dtype '{dtype}' is not one the ledger can cost ({string.Join(", ", DtypeBytes.Keys)}); " +
                "name the ONNX file's weight type, or leave dtype out to cost weights at the KV cache's");

        string? tokenizerType = null, vocabFile = null;
        if (root.TryGetProperty("tokenizer", out var tokenizer) && tokenizer.ValueKind == JsonValueKind.Object)
        {
            tokenizerType = tokenizer.StringOrNull("type", path, "tokenizer.type");
            vocabFile = tokenizer.StringOrNull("vocab", path, "tokenizer.vocab");
        }
        return new ModelConfig(layers, heads, kvHeads, headDim, hidden, vocab, context, parameters, nonEmbedding,
            dtype,
            IntOrNull("bos_token_id"), TokenIds(root, "eos_token_id", path), IntOrNull("pad_token_id"),
            // An empty delimiter would end a step at every position (and never move a search past one).
            root.StringOrNull("step_delimiter", path, nonEmpty: true), root.OptionalString("onnx") ?? "model.onnx", tokenizerType, vocabFile, Template());

        PromptTemplate? Template()
        {
            string? text = root.StringOrNull("prompt_template", path);
            string? system = root.OptionalString("system_prompt");
            if (system is not null && text != PromptTemplate.Chat)
                throw new InvalidDataException($"{path}: 'system_prompt' goes with \"prompt_template\": \"chat\"; a written template holds its own system text");
            if (text is null) return null;
            string directory = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
            if (text == PromptTemplate.Chat)
                return (ChatTemplate.Load(directory) ?? throw new InvalidDataException($"{path}: prompt_template is \"chat\" but {ChatTemplate.Missing(directory)}"))
                    .ToPromptTemplate(system);
            try
            {
                return new PromptTemplate(text, $"{path}: prompt_template");
            }
            catch (FormatException e)
            {
                throw new InvalidDataException(e.Message);
            }
        }
    }
}
