using System.Globalization;

namespace TTScale.Reporting;

/// <summary>How numbers read in report tables and tick labels: invariant culture, compact, units spelled out.</summary>
public static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>An accuracy in [0, 1] as a percentage with one decimal.</summary>
    public static string Percent(double value) => (100 * value).ToString("F1", Invariant) + "%";

    /// <summary>An accuracy with its 95% interval: "62.5% [40.9, 79.9]".</summary>
    public static string Interval(double accuracy, double low, double high) =>
        $"{Percent(accuracy)} [{(100 * low).ToString("F1", Invariant)}, {(100 * high).ToString("F1", Invariant)}]";

    /// <summary>A count or amount: plain below 10,000, else with an SI suffix ("1.2M", "3.4G", "5.6T").</summary>
    public static string Amount(double value)
    {
        if (!double.IsFinite(value)) return "–";
        double magnitude = Math.Abs(value);
        if (magnitude < 10_000) return value.ToString(magnitude >= 100 || value == Math.Floor(value) ? "F0" : "G3", Invariant);
        string[] suffixes = ["k", "M", "G", "T", "P", "E"];
        int index = Math.Min(suffixes.Length - 1, (int)Math.Floor(Math.Log10(magnitude) / 3) - 1);
        return Significant(value / Math.Pow(1000, index + 1)) + suffixes[index];
    }

    /// <summary>Bytes in binary units ("512 B", "1.5 KiB", "12 MiB").</summary>
    public static string Bytes(double value)
    {
        if (!double.IsFinite(value)) return "–";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int index = 0;
        while (Math.Abs(value) >= 1024 && index < units.Length - 1)
        {
            value /= 1024;
            index++;
        }
        return (index == 0 ? value.ToString("F0", Invariant) : Significant(value)) + " " + units[index];
    }

    // Three significant digits, but whole from 100 up: "G3" writes 999.6 as "1E+03" (and 1015.6 KiB as "1.02E+03").
    private static string Significant(double value) => value.ToString(Math.Abs(value) >= 100 ? "F0" : "G3", Invariant);

    /// <summary>A budget (a saturation point N*) with every digit, as ttscale fit prints it: "G4" wrote N* = 12345 as "1.234E+04".</summary>
    public static string Budget(double value) => double.IsFinite(value) ? value.ToString("0.##", Invariant) : "–";

    /// <summary>A number for a parameter or error: four significant digits.</summary>
    public static string Number(double value) => double.IsFinite(value) ? value.ToString("G4", Invariant) : "–";
}
