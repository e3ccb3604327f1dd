using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// Finds and loads a model directory's tokenizer through Microsoft.ML.Tokenizers, in this order: the demo models'
/// character vocabulary (config <c>tokenizer.type = char-bpe</c>), a SentencePiece <c>tokenizer.model</c>, and a
/// GPT-2-style BPE <c>vocab.json</c> + <c>merges.txt</c>.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>Loads the tokenizer of the model in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">No tokenizer files were found; the message lists what was looked for.</exception>
    public static Tokenizer Load(string directory, ModelConfig config)
    {
        string Path(string name) => System.IO.Path.Combine(directory, name);
        if (config.TokenizerType == "char-bpe") return CharVocabularyTokenizer.Load(Path(config.VocabFile ?? "vocab.json"));
        if (File.Exists(Path("tokenizer.model")))
        {
            using var model = File.OpenRead(Path("tokenizer.model"));
            return LlamaTokenizer.Create(model);
        }
        if (File.Exists(Path("vocab.json")) && File.Exists(Path("merges.txt")))
            return BpeTokenizer.Create(Path("vocab.json"), Path("merges.txt"));
        throw new FileNotFoundException(
            $"{directory}: no tokenizer found (looked for config.json tokenizer.type 'char-bpe', tokenizer.model, vocab.json + merges.txt)");
    }
}
