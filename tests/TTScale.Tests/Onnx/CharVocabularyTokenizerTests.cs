using TTScale.Onnx;
using TTScale.Tasks;

namespace TTScale.Tests.Onnx;

public class CharVocabularyTokenizerTests
{
    private static readonly Microsoft.ML.Tokenizers.BpeTokenizer Tokenizer = CharVocabularyTokenizer.Load(Fixtures.Path("tiny-lm-fp32", "vocab.json"));

    [Fact]
    public void EveryCharacterTheTaskUsesRoundTrips()
    {
        // Every printable ASCII character and the newline: the task's digits, operators, 'Q: ', 'A: ', 'R:' and more.
        string all = "\n" + new string(Enumerable.Range(32, 95).Select(c => (char)c).ToArray());
        var ids = Tokenizer.EncodeToIds(all);
        Assert.Equal(all.Length, ids.Count);
        Assert.Equal(all, Tokenizer.Decode(ids));
    }

    [Fact]
    public void TaskTextRoundTripsOneTokenPerCharacter()
    {
        for (int index = 0; index < 50; index++)
        {
            var problem = ArithChainGenerator.Generate(6, index, 1 + index % 5);
            string text = ArithFormat.RevisionPrompt(problem.Prompt, [problem.Solution, problem.Solution]) + problem.Solution;
            var ids = Tokenizer.EncodeToIds(text);
            Assert.Equal(text.Length, ids.Count);
            Assert.Equal(text, Tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void WhitespaceRunsAreKeptExactly()
    {
        const string text = "  Q:  1\n\n x  \n \n";
        var ids = Tokenizer.EncodeToIds(text);
        Assert.Equal(text.Length, ids.Count);
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void IdsMatchTheTrainingVocabulary()
    {
        // models/train/vocab.py: <pad> 0, <bos> 1, <eos> 2, <unk> 3, newline 4, then ASCII 32..126 from 5.
        Assert.Equal([4, 5, 5 + '0' - 32, 5 + 'A' - 32, 5 + '~' - 32], Tokenizer.EncodeToIds("\n 0A~"));
        Assert.Equal(1, Tokenizer.EncodeToIds("<bos>")[0]);
    }

    [Theory]
    [InlineData("é")]
    [InlineData("\t")]
    [InlineData("😀")]
    public void UnknownCharactersBecomeTheUnknownTokenNotNothing(string unknown)
    {
        var ids = Tokenizer.EncodeToIds("1" + unknown + "2");
        Assert.Equal([5 + '1' - 32, 3, 5 + '2' - 32], ids);
    }

    [Fact]
    public void MissingOrCorruptVocabularyNamesTheFile()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => CharVocabularyTokenizer.Load("/nonexistent/vocab.json"));
        Assert.Contains("/nonexistent/vocab.json", missing.Message);
        string corrupt = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllText(corrupt, "{ not json");
            var error = Assert.Throws<InvalidDataException>(() => CharVocabularyTokenizer.Load(corrupt));
            Assert.Contains(corrupt, error.Message);
            File.WriteAllText(corrupt, "{\"a\": 0,\n\"<unk>\": \"x\"}");
            Assert.Equal($"{corrupt}: not a token-to-id JSON object (<unk> is not a valid value, at line 2)", Assert.Throws<InvalidDataException>(() => CharVocabularyTokenizer.Load(corrupt)).Message);
            File.WriteAllText(corrupt, "{\"a\": 0}");
            Assert.Contains("<unk>", Assert.Throws<InvalidDataException>(() => CharVocabularyTokenizer.Load(corrupt)).Message);
            // Cut short (still JSON): the model's ids 2-99 would have decoded to nothing.
            File.WriteAllText(corrupt, "{\"<unk>\": 0, \"a\": 1}");
            Assert.Equal($"{corrupt}: 2 tokens with ids 0 to 1; the model's vocab_size 100 (config.json) needs one token for each id from 0 to 99",
                Assert.Throws<InvalidDataException>(() => CharVocabularyTokenizer.Load(corrupt, vocabSize: 100)).Message);
            File.WriteAllText(corrupt, "{\"<unk>\": 0, \"a\": 2}"); // as many tokens, an id skipped
            Assert.Throws<InvalidDataException>(() => CharVocabularyTokenizer.Load(corrupt, vocabSize: 2));
        }
        finally
        {
            File.Delete(corrupt);
        }
    }
}
