namespace TTScale.Reporting.Figures;

/// <summary>One colour per strategy for the whole report, so a strategy looks the same in every figure and table.</summary>
public sealed class StrategyPalette
{
    // Okabe–Ito-style colours: distinct for colour-blind readers and on white.
    private static readonly string[] Colors =
        ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f3c8d", "#3d3d3d", "#a6761d", "#1b9e77"];

    private readonly Dictionary<string, string> _byName = [];

    /// <summary>Gives colours to <paramref name="names"/> in order; names past the palette's size reuse it.</summary>
    public StrategyPalette(IEnumerable<string> names)
    {
        foreach (string name in names)
            if (!_byName.ContainsKey(name)) _byName[name] = Colors[_byName.Count % Colors.Length];
    }

    /// <summary>The strategy's colour ("#rrggbb"); a name not given at construction gets a neutral grey.</summary>
    public string this[string strategy] => _byName.GetValueOrDefault(strategy, "#777777");
}
