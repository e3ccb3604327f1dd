using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>Bad model directories fail with an error that names the file and what is wrong.</summary>
public sealed class ModelLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void CopyFixture(string fixture, params string[] except) => Fixtures.CopyTo(fixture, _dir, except);

    [Fact]
    public void LoadsTheFixtureAndReadsItsShapeFromTheGraph()
    {
        using var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp16"));
        Assert.Equal(2, lm.Cost.Layers);
        Assert.Equal(2, lm.Cost.KvHeads);
        Assert.Equal(16, lm.Cost.HeadDim);
        Assert.Equal(2, lm.Cost.KvBytesPerElement);
    }

    [Fact]
    public void AnEndOfSequenceIdOutsideTheVocabularyNamesGenerationConfig()
    {
        CopyFixture("tiny-lm-fp32");
        File.WriteAllText(Path.Combine(_dir, "generation_config.json"), """{"eos_token_id": 5000}""");
        // It named config.json, which holds no such id.
        Assert.Equal($"{Path.Combine(_dir, "generation_config.json")}: eos_token_id 5000 is outside the vocabulary of 100 (config.json's vocab_size)",
            Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir)).Message);
    }

    [Fact]
    public void AMalformedTokenizerConfigIsNamedEvenWithoutAChatTemplate()
    {
        // Taken as "no chat template", it ran without a word (and hid the template note).
        CopyFixture("tiny-lm-fp32");
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), "{bad");
        var result = TTScale.Tests.Cli.CliRunner.Run("generate", "--model", _dir, "--prompt", "Q: 5 +3\n", "--max-tokens", "2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(Path.Combine(_dir, "tokenizer_config.json"), result.StdErr);
    }

    [Fact]
    public void MissingModelFile()
    {
        CopyFixture("tiny-lm-fp32", "model.onnx");
        var e = Assert.Throws<FileNotFoundException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains(Path.Combine(_dir, "model.onnx"), e.Message);
    }

    [Fact]
    public void MissingConfig()
    {
        CopyFixture("tiny-lm-fp32", "config.json");
        Assert.Contains("config.json", Assert.Throws<FileNotFoundException>(() => OnnxGenerator.Load(_dir)).Message);
    }

    [Fact]
    public void CorruptModelFile()
    {
        CopyFixture("tiny-lm-fp32", "model.onnx");
        File.WriteAllText(Path.Combine(_dir, "model.onnx"), "not a model");
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void GraphWithoutKvInputs()
    {
        CopyFixture("tiny-lm-fp32", "model.onnx");
        File.Copy(Fixtures.Path("tiny-prm", "model.onnx"), Path.Combine(_dir, "model.onnx"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains("model.onnx", e.Message);
        Assert.Contains("past_key_values", e.Message);
    }

    [Theory]
    [InlineData("tiny-lm-fp32")]
    [InlineData("tiny-prm")]
    public void GraphWithAnInputTTScaleDoesNotFeed(string fixture)
    {
        CopyFixture(fixture);
        string model = Path.Combine(_dir, "model.onnx");
        OnnxInputEdit.AddInt64Input(model, "token_type_ids");
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            if (fixture == "tiny-prm") PrmVerifier.Load(_dir).Dispose();
            else OnnxGenerator.Load(_dir).Dispose();
        });
        Assert.Contains(model, e.Message);
        Assert.Contains("token_type_ids", e.Message);
    }

    [Theory]
    [InlineData("input_ids")]
    [InlineData("position_ids")]
    public void GraphWithInt32Ids(string input)
    {
        CopyFixture("tiny-lm-fp32");
        string model = Path.Combine(_dir, "model.onnx");
        OnnxInputEdit.RetypeInt64Input(model, input, elementType: 6);
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir).Dispose());
        Assert.Contains(model, e.Message);
        Assert.Contains($"'{input}' of type Int32; TTScale feeds Int64", e.Message);
    }

    [Theory]
    [InlineData("\"num_heads\": 0", "heads must be 1 or more, not 0")]
    [InlineData("\"parameters\": null", null)] // absent: estimated
    [InlineData("\"parameters\": 8.6848e4", "'parameters' must be an integer, not 8.6848e4")]
    [InlineData("\"num_layers\": \"2\"", "'num_layers' must be an integer, not \"2\"")]
    [InlineData("\"tokenizer\": {\"type\": 1}", "'tokenizer.type' must be a string, not 1")]
    [InlineData("\"context_length\": 0", "context_length must be 1 or more, not 0")] // was "inconsistent shape (layers 2, heads 4, ...)"
    [InlineData("\"vocab_size\": 0", "vocab_size must be 1 or more, not 0")]
    [InlineData("\"dtype\": \"int3\"", "dtype 'int3' is not one the ledger can cost")] // was costed silently at 4 bytes a weight
    [InlineData("\"dtype\": \"bf16\"", null)]
    public void MalformedConfigValuesAreNamed(string field, string? error)
    {
        var value = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")!.AsObject().Single();
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config =>
        {
            config[value.Key] = value.Value?.DeepClone();
            if (value.Key == "num_heads") config.Remove("head_dim");
        });
        string path = Path.Combine(_dir, "config.json");
        if (error is null)
        {
            Assert.True(TTScale.Onnx.ModelConfig.Load(path).Parameters > 0);
            return;
        }
        var e = Assert.Throws<InvalidDataException>(() => TTScale.Onnx.ModelConfig.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(error, e.Message);
    }

    [Fact]
    public void WeightBytesComeFromTheExportNotTheCheckpointDtype()
    {
        // Optimum exports a bf16 checkpoint in fp32 and keeps its torch_dtype; the weights read per pass are 4 bytes each.
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config =>
        {
            config.Remove("dtype");
            config["torch_dtype"] = "bfloat16";
        });
        using var lm = OnnxGenerator.Load(_dir);
        Assert.Equal(4 * lm.Config.NonEmbeddingParameters, lm.Cost.WeightBytes);
    }

    [Fact]
    public void ATiedHeadIsCountedOnceInTheParameterEstimate()
    {
        // Without "parameters", the estimate adds the embedding to the non-embedding count (which holds the head); a
        // tied head is the embedding, so Qwen2.5-0.5B-style configs were 27% over.
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config =>
        {
            config.Remove("parameters");
            config.Remove("parameters_non_embedding");
        });
        long untied;
        using (var lm = OnnxGenerator.Load(_dir)) untied = lm.Config.Parameters;
        string tiedDir = Path.Combine(_dir, "tied");
        Fixtures.CopyWithConfig("tiny-lm-fp32", tiedDir, config =>
        {
            config.Remove("parameters");
            config.Remove("parameters_non_embedding");
            config["tie_word_embeddings"] = true;
        });
        using var tied = OnnxGenerator.Load(tiedDir);
        Assert.Equal(untied - 100 * 64, tied.Config.Parameters); // vocab x hidden once fewer
        Assert.Equal(tied.Config.NonEmbeddingParameters, tied.Config.Parameters);
    }

    [Fact]
    public void ConfigThatDisagreesWithTheGraph()
    {
        CopyFixture("tiny-lm-fp32", "config.json");
        File.WriteAllText(Path.Combine(_dir, "config.json"),
            File.ReadAllText(Fixtures.Path("tiny-lm-fp32", "config.json")).Replace("\"num_kv_heads\": 2", "\"num_kv_heads\": 4"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains("KV heads", e.Message);
    }

    [Fact]
    public void VocabularyLargerThanTheModel()
    {
        CopyFixture("tiny-lm-fp32", "config.json");
        File.WriteAllText(Path.Combine(_dir, "config.json"),
            File.ReadAllText(Fixtures.Path("tiny-lm-fp32", "config.json")).Replace("\"vocab_size\": 100", "\"vocab_size\": 50"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains("vocab_size 50", e.Message);
    }

    [Fact]
    public void ATokenizerJsonVocabularyLargerThanTheModel()
    {
        // tiny-lm-fp32's 100 logits under a tokenizer.json of 309 tokens and added tokens (Qwen2's pre-tokenizer).
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config => config.Remove("tokenizer"), "vocab.json");
        File.Copy(Fixtures.Path("hf-tokenizers", "qwen2.json"), Path.Combine(_dir, "tokenizer.json"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir));
        Assert.Contains("but config.json says vocab_size 100", e.Message);
    }

    [Theory]
    [InlineData("pad_token_id", 110)]
    [InlineData("eos_token_id", -1)]
    public void ASpecialTokenIdOutsideTheVocabulary(string field, int id)
    {
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config => config[field] = id);
        Assert.Contains($"config.json {field} {id} is outside the vocabulary of 100", Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir)).Message);
    }

    [Fact]
    public void AnAddedTokenOutsideTheVocabulary()
    {
        // A byte-level BPE of 90 tokens, in range, and one added token that is not.
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config => config.Remove("tokenizer"));
        var vocab = new System.Text.Json.Nodes.JsonObject(Enumerable.Range(0, 90).Select(i => KeyValuePair.Create(((char)('!' + i)).ToString(), (System.Text.Json.Nodes.JsonNode?)i)));
        var tokenizer = new System.Text.Json.Nodes.JsonObject
        {
            ["added_tokens"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["id"] = 150, ["content"] = "<|x|>", ["special"] = true }),
            ["pre_tokenizer"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["decoder"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new System.Text.Json.Nodes.JsonArray() },
        };
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), tokenizer.ToJsonString());
        Assert.Contains("the tokenizer has token id 150 ('<|x|>') but config.json says vocab_size 100",
            Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir)).Message);
    }

    [Fact]
    public void CorruptConfig()
    {
        CopyFixture("tiny-lm-fp32", "config.json");
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{ \"num_layers\": ");
        Assert.Contains("config.json", Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(_dir)).Message);
    }

    [Fact]
    public void CudaOnTheCpuBuildIsAClearError()
    {
        if (Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider")) return; // a GPU build
        var e = Assert.Throws<NotSupportedException>(() => OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"),
            new GeneratorOptions { Device = ExecutionDevice.Parse("cuda:0") }));
        Assert.Contains("CUDA", e.Message);
    }
}

public sealed class ModelConfigTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void ReadsHuggingFaceNamesAndEstimatesParameterCounts()
    {
        // A Llama-style config as Hugging Face writes it (no TTScale fields).
        File.WriteAllText(_path, """
            {"num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_size": 64,
             "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 128, "bos_token_id": 1, "eos_token_id": 2,
             "torch_dtype": "float16"}
            """);
        var c = TTScale.Onnx.ModelConfig.Load(_path);
        Assert.Equal((2, 4, 2, 16, 128), (c.Layers, c.Heads, c.KvHeads, c.HeadDim, c.ContextLength));
        Assert.Null(c.Dtype); // torch_dtype is the checkpoint's, not the export's
        Assert.Equal([2], c.EosTokenIds);
        // Per layer: q and o 64x64 each, k and v 64x32 each, a gated MLP 3x64x128, two norms; a final norm and an untied head.
        long perLayer = 64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 128 + 2 * 64;
        Assert.Equal(2 * perLayer + 64 + 100 * 64, c.NonEmbeddingParameters);
        Assert.Equal(c.NonEmbeddingParameters + 100 * 64, c.Parameters);
    }

    [Fact]
    public void EndOfSequenceIsOneIdOrAList()
    {
        File.WriteAllText(_path, """{"num_layers": 1, "num_heads": 1, "hidden_size": 8, "vocab_size": 200000, "context_length": 8, "eos_token_id": [128001, 128009]}""");
        Assert.Equal([128001, 128009], TTScale.Onnx.ModelConfig.Load(_path).EosTokenIds);
        File.WriteAllText(_path, """{"num_layers": 1, "num_heads": 1, "hidden_size": 8, "vocab_size": 8, "context_length": 8, "eos_token_id": "</s>"}""");
        var e = Assert.Throws<InvalidDataException>(() => TTScale.Onnx.ModelConfig.Load(_path));
        Assert.Contains(_path, e.Message);
        Assert.Contains("'eos_token_id' must be a token id or a list of them", e.Message);
    }

    [Fact]
    public void AMissingFieldIsNamed()
    {
        File.WriteAllText(_path, """{"num_layers": 2}""");
        var e = Assert.Throws<InvalidDataException>(() => TTScale.Onnx.ModelConfig.Load(_path));
        Assert.Contains(_path, e.Message);
        Assert.Contains("num_heads", e.Message);
    }
}
