using System.Text.Json;
using System.Text.Json.Nodes;

namespace TTScale.Tests.Cli;

public class GenerateCommandTests
{
    private static readonly string Fixture = Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32");

    [Fact]
    public void JsonOutputHasTheSamplesAndLedgerAndIsFixedByTheSeed()
    {
        string[] args = ["generate", "--model", Fixture, "--prompt", "Q: 5 +8\\n", "-n", "8", "--seed", "1", "--max-tokens", "12", "--json"];
        var first = CliRunner.Run(args);
        var second = CliRunner.Run(args);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.StdOut, second.StdOut);
        var root = JsonDocument.Parse(first.StdOut).RootElement;
        var samples = root.GetProperty("samples").EnumerateArray().ToList();
        Assert.Equal(8, samples.Count);
        Assert.True(samples.Select(s => s.GetProperty("text").GetString()).Distinct().Count() > 1, "different samples should differ");
        var ledger = root.GetProperty("ledger");
        // Every sampled token is counted, an end-of-sequence token (not part of the text) included.
        Assert.Equal(samples.Sum(s => s.GetProperty("tokens").GetInt32() + (s.GetProperty("finish_reason").GetString() == "eos" ? 1 : 0)),
            ledger.GetProperty("generated_tokens").GetInt64());
        Assert.Equal(9, ledger.GetProperty("prompt_tokens").GetInt64()); // <bos> + "Q: 5 +8\n", prefilled once for all 8
        Assert.True(ledger.GetProperty("total_flops").GetDouble() > 0);
        Assert.Contains("wall time", first.StdErr);
        Assert.NotEqual(first.StdOut, CliRunner.Run([.. args[..7], "2", .. args[8..]]).StdOut);
    }

    [Fact]
    public void TheTextLedgerWritesTwoDigitExponents()
    {
        // .NET's "E3" wrote 1.234E+006, unlike every other figure TTScale prints.
        var result = CliRunner.Run("generate", "--model", Fixture, "--prompt", "Q: 5 +8\\n", "-n", "2", "--max-tokens", "4");
        Assert.Equal(0, result.ExitCode);
        string number = @"\d\.\d{3}E\+\d{2}";
        Assert.Matches($@"FLOPs +{number}\n", result.StdOut.Replace("\r", ""));
        Assert.Matches($@"bytes moved +{number} \(weights {number}, KV {number}\)", result.StdOut);
    }

    [Fact]
    public void TheThreadCountDoesNotChangeTheSamples()
    {
        string demo = Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "arith-lm");
        string[] args = ["generate", "--model", demo, "--prompt", "Q: 47+28-5\\n", "-n", "16", "--seed", "3", "--max-tokens", "40", "--json", "--threads"];
        var one = CliRunner.Run([.. args, "1"]);
        var two = CliRunner.Run([.. args, "2"]);
        Assert.Equal(0, one.ExitCode);
        Assert.Equal(one.StdOut, two.StdOut);
    }

    [Theory]
    [InlineData("--threads", "-1", "--threads")]
    [InlineData("--threads", "100000", "--threads")] // ONNX Runtime started them all: 16 GB, and no process slot left on the machine
    [InlineData("--temperature", "-1", "--temperature")]
    [InlineData("--top-p", "0", "--top-p")]
    [InlineData("--max-tokens", "0", "--max-tokens")]
    [InlineData("--device", "tpu", "--device")]
    [InlineData("--device", "cuda", "CUDA")]
    [InlineData("--hardware", "abacus", "--hardware")]
    [InlineData("-n", "0", "-n")]
    public void BadOptionsAreOneLineErrorsNamingTheOption(string option, string value, string named)
    {
        var result = CliRunner.Run("generate", "--model", Fixture, "--prompt", "Q: 1\\n", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr);
        Assert.Contains(named, result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void APromptTemplateWrapsThePrompt()
    {
        string[] args = ["generate", "--model", Fixture, "-n", "4", "--seed", "1", "--max-tokens", "12", "--json"];
        var bare = JsonNode.Parse(CliRunner.Run([.. args, "--prompt", "Q: 5 +8\\n"]).StdOut)!;
        var result = CliRunner.Run([.. args, "--prompt", "5 +8", "--prompt-template", "Q: {prompt}\\n"]);
        Assert.Equal(0, result.ExitCode);
        var templated = JsonNode.Parse(result.StdOut)!;
        Assert.Equal("Q: {prompt}\n", templated["prompt_template"]!.GetValue<string>());
        Assert.Equal(bare["samples"]!.ToJsonString(), templated["samples"]!.ToJsonString());
        Assert.Equal(bare["ledger"]!.ToJsonString(), templated["ledger"]!.ToJsonString());

        string file = Path.GetTempFileName();
        File.WriteAllText(file, "Q: {prompt}\n");
        try
        {
            Assert.Equal(result.StdOut, CliRunner.Run([.. args, "--prompt", "5 +8", "--prompt-template", file]).StdOut);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("no placeholder")]
    [InlineData("/no/such/template.txt")]
    public void ABadPromptTemplateIsNamed(string template)
    {
        var result = CliRunner.Run("generate", "--model", Fixture, "--prompt", "5 +8", "--prompt-template", template);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--prompt-template", result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void AChatModelRunsItsChatTemplateWhenAskedAndIsPointedToItOtherwise()
    {
        string dir = Directory.CreateTempSubdirectory("ttscale-chat-").FullName;
        try
        {
            TTScale.Tests.Onnx.Fixtures.CopyTo("tiny-lm-fp32", dir);
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"),
                """{"chat_template": "{% for m in messages %}{{ m.role[0] | upper }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}A:{% endif %}"}""");
            string[] args = ["generate", "--model", dir, "--prompt", "5 +8", "--max-tokens", "4", "--json"];
            var bare = CliRunner.Run(args);
            Assert.Equal(0, bare.ExitCode);
            Assert.Contains($"{dir} has a chat template", bare.StdErr);
            Assert.Contains("--prompt-template chat", bare.StdErr);

            var chat = CliRunner.Run([.. args, "--prompt-template", "chat", "--system-prompt", "Be exact."]);
            Assert.Equal(0, chat.ExitCode);
            Assert.DoesNotContain("chat template", chat.StdErr);
            Assert.Equal("S: Be exact.\nU: {prompt}\nA:", JsonDocument.Parse(chat.StdOut).RootElement.GetProperty("prompt_template").GetString());
            var written = CliRunner.Run([.. args, "--prompt-template", "S: Be exact.\\nU: {prompt}\\nA:"]);
            Assert.Equal(JsonDocument.Parse(written.StdOut).RootElement.GetProperty("samples").GetRawText(),
                JsonDocument.Parse(chat.StdOut).RootElement.GetProperty("samples").GetRawText());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--prompt-template", "chat")] // the fixture has no chat template
    [InlineData("--system-prompt", "Be exact.")] // without --prompt-template chat
    public void ChatOptionsThatCannotApplyAreNamed(string option, string value)
    {
        var result = CliRunner.Run("generate", "--model", Fixture, "--prompt", "5 +8", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Theory]
    [InlineData]
    [InlineData("--prompt-template", "chat")] // the template is looked for first: still "not found", not "no chat template"
    public void AMissingModelDirectoryIsNamed(params string[] options)
    {
        var result = CliRunner.Run(["generate", "--model", "/no/such/model", "--prompt", "x", .. options]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/no/such/model: model directory not found", result.StdErr);
    }

    [Fact]
    public void APromptLongerThanTheContextIsNamed()
    {
        var result = CliRunner.Run("generate", "--model", Fixture, "--prompt", new string('1', 200));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --prompt: the prompt has 201 tokens; the context holds 128", result.StdErr.Trim());
    }
}
