using System.Globalization;
using System.Text.Json;

namespace TTScale.Tasks;

/// <summary>A malformed problem file: the message names the file and line.</summary>
public sealed class ProblemFormatException(string message) : FormatException(message);

/// <summary>
/// Problems from a spec: <c>arith:count=200,levels=1-5,seed=7</c> for generated ArithChain problems, or a JSONL file in
/// one of the common shapes, told apart per line by their fields: GSM8K (<c>question</c>, <c>answer</c> ending
/// <c>#### n</c>), MATH (<c>problem</c>, and <c>answer</c> or a <c>solution</c> with <c>\boxed{}</c>), or plain
/// (<c>prompt</c>, <c>answer</c>, optional <c>id</c>, <c>level</c> and <c>format</c>).
/// </summary>
public static class ProblemSource
{
    /// <summary>The spec's problems.</summary>
    /// <param name="spec">An <c>arith:</c> spec or a JSONL path.</param>
    /// <param name="skipBad">Skip bad lines (malformed, or repeating an earlier line's id) instead of failing.</param>
    /// <param name="skipped">Each skipped line's error, <c>FILE:LINE: why</c>.</param>
    /// <exception cref="ProblemFormatException">A malformed line (without <paramref name="skipBad"/>) or spec.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<Problem> Load(string spec, bool skipBad, out IReadOnlyList<string> skipped)
    {
        var skippedLines = new List<string>();
        skipped = skippedLines;
        if (spec.StartsWith("arith:", StringComparison.Ordinal) || spec == "arith") return Arith(spec);
        if (!File.Exists(spec)) throw new FileNotFoundException($"{spec}: dataset file not found (or use arith:count=N,levels=1-5,seed=S)", spec);
        var problems = new List<Problem>();
        var lineOfId = new Dictionary<string, int>(); // records, seeds and resumes are keyed by id
        int number = 0;
        foreach (string line in File.ReadLines(spec))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var problem = FromJson(line, $"{Path.GetFileNameWithoutExtension(spec)}-{number}");
                if (!lineOfId.TryAdd(problem.Id, number)) throw new ProblemFormatException($"id '{problem.Id}' is already line {lineOfId[problem.Id]}'s");
                problems.Add(problem);
            }
            catch (Exception e) when (e is JsonException or ProblemFormatException or InvalidOperationException or KeyNotFoundException)
            {
                string error = $"{spec}:{number}: {e.Message}";
                if (!skipBad) throw new ProblemFormatException(error);
                skippedLines.Add(error);
            }
        }
        // Where every line was bad, the first says why (the caller never gets to list the skipped ones).
        if (problems.Count == 0) throw new ProblemFormatException($"{spec}: no problems{(skippedLines.Count > 0 ? $" ({skippedLines.Count} bad line(s) skipped; the first: {skippedLines[0]})" : "")}");
        return problems;
    }

    /// <summary>Generated ArithChain problems: <c>arith:count=N,levels=1-5,seed=S</c> (defaults 100, 1-5, 1234).</summary>
    public static IReadOnlyList<Problem> Arith(string spec)
    {
        int count = 100;
        long seed = 1234;
        string levels = "1-5";
        string options = spec.Length > "arith:".Length ? spec["arith:".Length..] : "";
        // Split on commas that start a new key=value, so "levels=1,3-4" stays whole.
        foreach (string part in SplitOptions(options))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2) throw new ProblemFormatException($"'{spec}': '{part}' is not key=value");
            switch (kv[0])
            {
                case "count" when int.TryParse(kv[1], CultureInfo.InvariantCulture, out count) && count >= 1: break;
                case "seed" when long.TryParse(kv[1], CultureInfo.InvariantCulture, out seed): break;
                case "levels": levels = kv[1]; break;
                default: throw new ProblemFormatException($"'{spec}': bad option '{part}' (use count=N, levels=1-5, seed=S)");
            }
        }
        var levelList = ArithChainGenerator.ParseLevels(levels);
        return ArithChainGenerator.Generate(seed, count, levelList)
            .Select((p, i) => new Problem($"arith-s{seed}-{i}", p.Prompt, p.Answer.ToString(CultureInfo.InvariantCulture), AnswerFormat.ArithChain, p.Level))
            .ToList();
    }

    private static IEnumerable<string> SplitOptions(string options)
    {
        var parts = new List<string>();
        foreach (string piece in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (parts.Count > 0 && !piece.Contains('=')) parts[^1] += "," + piece;
            else parts.Add(piece);
        }
        return parts;
    }

    private static string? NotEmpty(string name, string? value) =>
        value is not null && string.IsNullOrWhiteSpace(value) ? throw new ProblemFormatException($"'{name}' is empty") : value;

    private static Problem FromJson(string line, string fallbackId)
    {
        var root = JsonDocument.Parse(line, StrictJson.UniqueProperties).RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ProblemFormatException("expected a JSON object");
        // Ids and answers may be numbers; texts must be strings (a number would run as its digits). None may be empty: an
        // empty answer can never be graded right, an empty prompt gives some models nothing to read.
        string? Str(string name) => root.TryGetProperty(name, out var v) ? NotEmpty(name, v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw new ProblemFormatException($"'{name}' must be a string or a number, not {v.GetRawText()}"),
        }) : null;
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? NotEmpty(name, v.GetString()) : throw new ProblemFormatException($"'{name}' must be a string, not {v.GetRawText()}")
            : null;
        string id = Str("id") ?? Str("unique_id") ?? fallbackId;
        int? level = root.TryGetProperty("level", out var l) ? l.ValueKind switch
        {
            JsonValueKind.Number => l.TryGetInt32(out int n) ? n : throw new ProblemFormatException($"'level' must be an integer, not {l.GetRawText()}"),
            JsonValueKind.String when int.TryParse(l.GetString()!.Replace("Level ", "", StringComparison.Ordinal), out int n) => n,
            JsonValueKind.String or JsonValueKind.Null => null, // MATH writes "Level ?" where it has none
            _ => throw new ProblemFormatException($"'level' must be an integer, not {l.GetRawText()}"),
        } : null;
        if (level < 0) throw new ProblemFormatException($"'level' must be 0 or more, not {level}");

        if (Text("question") is string question)
        {
            string gold = Str("answer") ?? throw new ProblemFormatException("GSM8K-shaped line without 'answer'");
            // A worked answer gives its result after '####'; without one, the last number of the working is no gold answer.
            string answer = (gold.Contains("####", StringComparison.Ordinal) || decimal.TryParse(AnswerNormalizer.Normalize(gold), System.Globalization.CultureInfo.InvariantCulture, out _)
                ? AnswerExtractor.Extract(gold, AnswerFormat.Gsm8k) : null) ?? throw new ProblemFormatException("no '#### n' answer in 'answer'");
            return new Problem(id, question, answer, AnswerFormat.Gsm8k, level);
        }
        if (Text("problem") is string problem)
        {
            string answer = Str("answer") ?? (Text("solution") is string solution ? AnswerExtractor.LastBoxed(solution) : null)
                ?? throw new ProblemFormatException("MATH-shaped line without 'answer' or a \\boxed{} 'solution'");
            return new Problem(id, problem, answer, AnswerFormat.Boxed, level);
        }
        if (Text("prompt") is string prompt)
        {
            string answer = Str("answer") ?? throw new ProblemFormatException("line without 'answer'");
            var format = Text("format") is string f
                ? Enum.GetValues<AnswerFormat>().Where(v => v.ToString().Equals(f, StringComparison.OrdinalIgnoreCase)).Cast<AnswerFormat?>().FirstOrDefault()
                    ?? throw new ProblemFormatException($"unknown format '{f}' (use {string.Join(", ", Enum.GetNames<AnswerFormat>().Select(n => n.ToLowerInvariant()))})")
                : ArithFormat.IsPrompt(prompt) ? AnswerFormat.ArithChain // a data arith file from before it wrote its format
                : long.TryParse(AnswerNormalizer.Normalize(answer), out _) ? AnswerFormat.Gsm8k : AnswerFormat.Plain;
            return new Problem(id, prompt, answer, format, level);
        }
        throw new ProblemFormatException("expected 'question' (GSM8K), 'problem' (MATH) or 'prompt' and 'answer'");
    }
}
