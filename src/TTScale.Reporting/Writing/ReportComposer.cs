using System.Globalization;
using TTScale.Reporting.Figures;
using TTScale.Reporting.Model;
using TTScale.Reporting.Tables;

namespace TTScale.Reporting.Writing;

/// <summary>Lays a report model out as sections of figures and tables, leaving out the sections whose data is absent.</summary>
public sealed class ReportComposer(IFigureRenderer renderer)
{
    /// <summary>Renders every figure and builds every table of <paramref name="data"/>.</summary>
    public ReportDocument Compose(ScalingReportData data)
    {
        var names = data.StrategyNames;
        var palette = new StrategyPalette(names);
        var figures = new ReportFigures(data, palette);
        var sections = new List<ReportSection>
        {
            new("compute", "Accuracy vs compute",
                $"Each strategy's accuracy against {data.Axis.Label()} on a log2 axis; shaded bands are 95% Wilson intervals" +
                (data.Strategies.Any(s => s.Fit is not null) ? ", dashed lines fitted curves and diamonds saturation points." : "."),
                [Render("accuracy-vs-compute", figures.AccuracyVersusCompute())], [ReportTables.Results(data.Strategies)]),
        };
        if (ReportTables.Fits(data) is { } fits)
            sections.Add(new("fits", "Fitted curves",
                "Curves fitted per strategy on the budgets up to the split, judged on the budgets held out of the fit; all-problems " +
                "accuracy is also predicted from the bins' curves, weighted by their problems.",
                [], [fits, .. new[] { ReportTables.HeldOutPredictions(data) }.OfType<ReportTable>()]));
        if (data.Bins.Count > 0)
            sections.Add(new("difficulty", "By difficulty",
                "The same curves over each difficulty bin's problems (bin 1 is the easiest), in the colours and line styles of the accuracy-vs-compute figure's legend.",
                [.. data.Bins.Select(b => Render($"bin-{b.Bin}", figures.Bin(b)))], [ReportTables.Bins(data.Bins)], Grid: true));
        sections.Add(new("memory", "Accuracy vs memory",
            "Accuracy against the mean peak logical KV cache per problem: the unique tokens of the live sequence tree, what a prefix-sharing server would hold.",
            [Render("accuracy-vs-kv", figures.AccuracyVersusMemory())], []));
        if (ReportTables.ComputeOptimal(data) is { } optimal)
            sections.Add(new("compute-optimal", "Compute-optimal strategy",
                "The policy's pick per difficulty bin and budget level, by cross-validated accuracy (shown), with no cost cap. " +
                "The bins are the policy's own (bin 1 is the easiest), cut from the pool of the sweep it was built on.", [], [optimal]));
        if (data.Adaptive is { } adaptive && figures.AdaptiveVersusBaselines() is { } figure)
            sections.Add(new("adaptive", "Adaptive policy",
                "The adaptive policy against best-of-N and the best other fixed strategy at matched compute. Measured adaptive runs " +
                "(ttscale eval --strategy adaptive, one point per budget) carry 95% bands; a policy's own prediction (its " +
                "cross-validated curves, no run) is dashed.",
                [Render("adaptive-vs-baselines", figure)],
                [.. new[] { ReportTables.AdaptiveAtMatchedCompute(adaptive, data.Axis) }.OfType<ReportTable>(),
                    ReportTables.Results([.. adaptive.Adaptive, .. adaptive.Baselines], "Adaptive policy and baselines")]));
        return new ReportDocument($"TTScale scaling report: {data.Provenance.Dataset}", Provenance(data.Provenance), sections,
            names.ToDictionary(name => name, name => palette[name]));
    }

    private ReportFigure Render(string name, FigureSpec spec) => new(name, spec.Title, renderer.RenderPng(spec));

    private static List<KeyValuePair<string, string>> Provenance(ReportProvenance p)
    {
        var culture = CultureInfo.InvariantCulture;
        var lines = new List<KeyValuePair<string, string>>
        {
            new("Sweep folder", p.Source),
            new("Dataset", p.Dataset + (p.Limit is int limit ? $" (first {limit} problems)" : "")),
            new("Seed", p.Seed.ToString(culture)),
        };
        lines.AddRange(p.Models.Select(m => new KeyValuePair<string, string>($"Model ({m.Role})", $"{m.Path} (sha256 {m.Sha256})")));
        lines.Add(new("Verifier", p.Verifier));
        lines.Add(new("Sampling", p.Sampling));
        lines.Add(new("Hardware profile", p.Hardware));
        lines.Add(new("Sweep run by", $"TTScale {p.TtscaleVersion}, started {p.Created.ToString("u", culture)}"));
        lines.Add(new("Report written by", $"TTScale {p.ReportVersion}, {p.Reported.ToString("u", culture)}"));
        lines.AddRange(p.Extra);
        return lines;
    }
}
