using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace TTScale.Tasks;

/// <summary>
/// Brings answers to one canonical form, so grading and voting compare meanings, not spellings. Numbers (integers,
/// decimals, fractions, <c>\frac</c>) become reduced fractions or integers, so <c>0.5</c>, <c>1/2</c> and
/// <c>\dfrac{1}{2}</c> agree; thousands separators, currency, units, percent and degree signs, trailing periods and
/// <c>.0</c> go; LaTeX loses <c>\left</c>/<c>\right</c>, <c>\text{}</c> wrappers, spacing commands and spaces; a lone
/// choice letter (<c>(B)</c>, <c>B)</c>) becomes the letter.
/// </summary>
public static partial class AnswerNormalizer
{
    /// <summary>The canonical form of <paramref name="answer"/>; empty for an empty answer.</summary>
    public static string Normalize(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer)) return "";
        string s = StripLatex(answer.Trim());
        if (ChoicePattern().Match(s) is { Success: true } choice) return choice.Groups["letter"].Value.ToUpperInvariant();
        s = s.TrimEnd('.', ' ');
        if (TryRational(s, out var rational)) return rational;
        // Units after a number ("18 dollars", "5 cm") are dropped when what is left is a number.
        if (LeadingNumberPattern().Match(s) is { Success: true } leading && TryRational(leading.Groups["number"].Value, out rational)) return rational;
        return s.Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>True when two answers mean the same after normalisation.</summary>
    public static bool Equivalent(string? a, string? b)
    {
        string x = Normalize(a), y = Normalize(b);
        return x.Length > 0 && x == y;
    }

    private static string StripLatex(string s)
    {
        s = s.Replace("\\left", "", StringComparison.Ordinal).Replace("\\right", "", StringComparison.Ordinal)
            .Replace("\\dfrac", "\\frac", StringComparison.Ordinal).Replace("\\tfrac", "\\frac", StringComparison.Ordinal)
            .Replace("\\!", "", StringComparison.Ordinal).Replace("\\,", "", StringComparison.Ordinal).Replace("\\;", "", StringComparison.Ordinal)
            .Replace("\\$", "", StringComparison.Ordinal).Replace("$", "", StringComparison.Ordinal)
            .Replace("^\\circ", "", StringComparison.Ordinal).Replace("^{\\circ}", "", StringComparison.Ordinal).Replace("°", "", StringComparison.Ordinal)
            .Replace("\\%", "", StringComparison.Ordinal).Replace("%", "", StringComparison.Ordinal);
        s = TextPattern().Replace(s, m => m.Groups["inner"].Value);
        return s.Trim();
    }

    /// <summary>Integers, decimals, a/b and \frac{a}{b} (optionally negative) as a reduced fraction or an integer.</summary>
    private static bool TryRational(string s, out string canonical)
    {
        canonical = "";
        string t = s.Replace(" ", "", StringComparison.Ordinal);
        if (ThousandsPattern().IsMatch(t)) t = t.Replace(",", "", StringComparison.Ordinal);
        bool negative = false;
        if (t.StartsWith('-'))
        {
            negative = true;
            t = t[1..];
        }
        BigInteger numerator, denominator;
        if (FracPattern().Match(t) is { Success: true } frac)
        {
            if (!TryDecimal(frac.Groups["a"].Value, out var an, out var ad) || !TryDecimal(frac.Groups["b"].Value, out var bn, out var bd)) return false;
            numerator = an * bd;
            denominator = ad * bn;
        }
        else if (t.Split('/') is [var a, var b])
        {
            if (!TryDecimal(a, out var an, out var ad) || !TryDecimal(b, out var bn, out var bd)) return false;
            numerator = an * bd;
            denominator = ad * bn;
        }
        else if (!TryDecimal(t, out numerator, out denominator))
        {
            return false;
        }
        if (denominator.IsZero) return false;
        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsZero)
        {
            numerator /= gcd;
            denominator /= gcd;
        }
        if (numerator.IsZero) negative = false;
        string sign = negative ? "-" : "";
        canonical = denominator.IsOne ? $"{sign}{numerator}" : $"{sign}{numerator}/{denominator}";
        return true;
    }

    private static bool TryDecimal(string s, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = BigInteger.Zero;
        denominator = BigInteger.One;
        if (!DecimalPattern().IsMatch(s)) return false;
        int dot = s.IndexOf('.');
        string digits = dot < 0 ? s : s.Remove(dot, 1);
        if (digits.Length == 0) return false;
        numerator = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (dot >= 0) denominator = BigInteger.Pow(10, s.Length - dot - 1);
        return true;
    }

    [GeneratedRegex(@"^\(?(?<letter>[A-Ea-e])\)?[.:]?$")]
    private static partial Regex ChoicePattern();

    [GeneratedRegex(@"\\(?:text|textbf|mathrm|mbox)\{(?<inner>[^{}]*)\}")]
    private static partial Regex TextPattern();

    [GeneratedRegex(@"^\\frac\{(?<a>[^{}]+)\}\{(?<b>[^{}]+)\}$")]
    private static partial Regex FracPattern();

    [GeneratedRegex(@"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")]
    private static partial Regex ThousandsPattern();

    [GeneratedRegex(@"^([0-9]+\.?[0-9]*|\.[0-9]+)$")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex(@"^(?<number>-?[0-9,]*\.?[0-9]+)\s*[A-Za-z][A-Za-z .]*$")]
    private static partial Regex LeadingNumberPattern();
}
