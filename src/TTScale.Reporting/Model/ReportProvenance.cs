namespace TTScale.Reporting.Model;

/// <summary>A model a study ran: its role ("policy", "prm"), folder and the sha256 of its graph.</summary>
public sealed record ModelProvenance(string Role, string Path, string Sha256);

/// <summary>What was run, and how, so a reader can reproduce the study.</summary>
/// <param name="Source">The sweep folder the report was made from.</param>
/// <param name="Dataset">The dataset spec, as given to the sweep.</param>
/// <param name="Limit">The problem limit, where one was given.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Models">The models, with hashes.</param>
/// <param name="Verifier">The verifier and step-score aggregation.</param>
/// <param name="Sampling">Sampling settings, as one line.</param>
/// <param name="Hardware">The hardware profile eFLOPs were counted with.</param>
/// <param name="TtscaleVersion">The TTScale version that ran the sweep.</param>
/// <param name="ReportVersion">The TTScale version that wrote the report.</param>
/// <param name="Created">When the sweep was started.</param>
/// <param name="Reported">When the report was written.</param>
/// <param name="Extra">Further name/value lines (the fit or policy files, for instance), in order.</param>
public sealed record ReportProvenance(
    string Source, string Dataset, int? Limit, long Seed, IReadOnlyList<ModelProvenance> Models, string Verifier, string Sampling,
    string Hardware, string TtscaleVersion, string ReportVersion, DateTimeOffset Created, DateTimeOffset Reported,
    IReadOnlyList<KeyValuePair<string, string>> Extra);
