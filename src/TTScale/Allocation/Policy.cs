using System.Text.Json;
using System.Text.Json.Serialization;

namespace TTScale.Allocation;

/// <summary>
/// A compute-optimal policy (policy.json): per difficulty bin, a menu of (cost, accuracy) points, each naming the
/// strategy and hyperparameters that did best at that budget level under cross-validation, the bin's saturation
/// point, optional fitted-curve parameters, and the difficulty model that maps a probe to a bin.
/// </summary>
/// <param name="SchemaVersion">The format's version (<see cref="CurrentSchema"/>).</param>
/// <param name="CostUnit">The unit of every cost, budget and saturation point.</param>
/// <param name="BinCount">Number of difficulty bins; bin 0 is the easiest.</param>
/// <param name="Bins">One entry per bin, in bin order.</param>
/// <param name="DifficultyModel">Predicts a bin from probe features; null where callers always supply bins.</param>
/// <param name="Build">How the policy was built, for the record.</param>
/// <param name="ProbeSamples">k: samples in the probe the difficulty model reads, and whose cost the menu's costs include (0: it
/// reads the prompt's length alone, at no cost); null where unknown.</param>
/// <param name="ProbeScored">Whether the verifier scores the probe (the difficulty model then reads the scores, and the
/// menu's costs include them); null: scored, as policies written before this field was.</param>
/// <param name="Sweep">The settings of the sweep the policy was built from (models, verifier, sampling, hardware), kept as
/// given: the options' accuracies and costs hold at those, and a run of them is checked against them; null where not recorded.</param>
public sealed record Policy(int SchemaVersion, CostUnit CostUnit, int BinCount, IReadOnlyList<PolicyBin> Bins,
    DifficultyModelData? DifficultyModel, PolicyBuildInfo? Build, int? ProbeSamples = null, bool? ProbeScored = null, JsonElement? Sweep = null)
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentSchema = 1;

    /// <summary>Whether the verifier scores the probe, reading a missing <see cref="ProbeScored"/> as scored.</summary>
    [JsonIgnore]
    public bool ScoresProbe => ProbeScored ?? true;

    /// <summary>policy.json's serialiser settings: snake_case names, lower-case enums, indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // By name only: a number would load as a unit (7 as no unit at all, printed "7"), and budgets would be read in it.
        Converters = { new JsonStringEnumConverter<CostUnit>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    /// <summary><see cref="JsonOptions"/> for reading: a missing member is an error naming it, not a zero (a policy without its cost_unit ran in samples).</summary>
    private static readonly JsonSerializerOptions ReadOptions = StrictJson.ForReading(JsonOptions);

    /// <summary>The policy as JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Writes policy.json.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Reads a policy from JSON text and validates it; <paramref name="source"/> names it in errors.</summary>
    public static Policy FromJson(string json, string source = "policy.json")
    {
        Policy? policy;
        try
        {
            policy = JsonSerializer.Deserialize<Policy>(json, ReadOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid policy ({StrictJson.Describe(e)})", e);
        }
        if (policy is null) throw new InvalidDataException($"{source}: empty policy");
        policy.Validate(source);
        return policy;
    }

    /// <summary>Reads and validates policy.json.</summary>
    public static Policy Load(string path) => FromJson(File.ReadAllText(path), path);

    /// <summary>Checks the invariants the allocator relies on; an <see cref="InvalidDataException"/> naming <paramref name="source"/> and the fault.</summary>
    public void Validate(string source = "policy.json")
    {
        if (SchemaVersion != CurrentSchema) throw new InvalidDataException($"{source}: schema_version {SchemaVersion} is not {CurrentSchema}");
        if (BinCount < 1 || Bins is null || Bins.Count != BinCount)
            throw new InvalidDataException($"{source}: bins must hold bin_count ({BinCount}) entries");
        for (int b = 0; b < BinCount; b++)
        {
            PolicyBin bin = Bins[b] ?? throw new InvalidDataException($"{source}: bins[{b}] is null");
            if (bin.Bin != b) throw new InvalidDataException($"{source}: bins[{b}] has bin {bin.Bin}; bins must be in order");
            if (bin.Curve is null || bin.Curve.Count == 0) throw new InvalidDataException($"{source}: bin {b} has an empty curve");
            if (!(bin.Saturation >= 0)) throw new InvalidDataException($"{source}: bin {b} saturation must be a non-negative number");
            foreach (var p in bin.Curve)
            {
                if (p is null) throw new InvalidDataException($"{source}: bin {b} has a null point");
                if (string.IsNullOrWhiteSpace(p.Strategy)) throw new InvalidDataException($"{source}: bin {b} has a point with no strategy");
                if (p.Parameters is null) throw new InvalidDataException($"{source}: bin {b} has a {p.Strategy} point with no parameters");
                if (!(p.Cost >= 0) || double.IsInfinity(p.Cost)) throw new InvalidDataException($"{source}: bin {b} has a point with cost {p.Cost}");
                if (!(p.CvAccuracy >= 0 && p.CvAccuracy <= 1) || !(p.Accuracy >= 0 && p.Accuracy <= 1))
                    throw new InvalidDataException($"{source}: bin {b} has an accuracy outside [0, 1]");
            }
        }
        // The allocator cuts each uncertain prompt's menu at this tolerance; below zero no option is within it of the best.
        if (Build is not null && !(Build.SaturationTolerance >= 0 && double.IsFinite(Build.SaturationTolerance)))
            throw new InvalidDataException($"{source}: build.saturation_tolerance must be a non-negative number (got {Build.SaturationTolerance})");
        if (ProbeSamples < 0) throw new InvalidDataException($"{source}: probe_samples must not be negative");
        if (DifficultyModel is not null)
        {
            try
            {
                if (Allocation.DifficultyModel.FromData(DifficultyModel).Bins != BinCount)
                    throw new InvalidDataException($"{source}: difficulty_model predicts a different number of bins than bin_count");
            }
            catch (ArgumentException e)
            {
                // The fault is in the file, not in an argument: without .NET's " (Parameter 'data')" tail.
                throw new InvalidDataException($"{source}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}", e);
            }
        }
    }
}

/// <summary>One difficulty bin's part of a policy.</summary>
/// <param name="Bin">The bin (0 easiest).</param>
/// <param name="Saturation">The cost past which the bin gains too little to spend more; the allocator never goes beyond it.</param>
/// <param name="Curve">The menu, by increasing budget level: each level's cross-validated pick, and its picks under cheaper cost caps (cheapest first).</param>
/// <param name="CurveFit">Fitted-curve parameters for the bin (model name, parameters, errors), kept as given; optional.</param>
public sealed record PolicyBin(int Bin, double Saturation, IReadOnlyList<PolicyPoint> Curve, JsonElement? CurveFit = null);

/// <summary>One option on a bin's menu: what to run at one budget level, what it costs, and how accurate it is.</summary>
/// <param name="BudgetLevel">The nominal budget (N) the option runs at.</param>
/// <param name="Strategy">Strategy name, as on the command line.</param>
/// <param name="Parameters">Its hyperparameters, as JSON values.</param>
/// <param name="Cost">Mean cost per prompt in the bin, in the policy's unit.</param>
/// <param name="Accuracy">The option's mean accuracy over the bin's problems (in-sample).</param>
/// <param name="CvAccuracy">Held-out accuracy of picking by cross-validation at this level; what the allocator plans with.</param>
/// <param name="Problems">How many problems the figures rest on.</param>
public sealed record PolicyPoint(double BudgetLevel, string Strategy, IReadOnlyDictionary<string, JsonElement> Parameters,
    double Cost, double Accuracy, double CvAccuracy, int Problems);

/// <summary>How a policy was built.</summary>
/// <param name="Folds">Cross-validation folds: those asked for, or as many as the largest bin has problems where that is fewer (each bin uses at most one per problem).</param>
/// <param name="Seed">Seed of the fold split.</param>
/// <param name="Problems">Problems in the sweep.</param>
/// <param name="Options">Distinct options (strategy, parameters, budget level) in the sweep.</param>
/// <param name="SaturationTolerance">Accuracy short of a bin's best at which its default saturation point is placed.</param>
public sealed record PolicyBuildInfo(int Folds, long Seed, int Problems, int Options, double SaturationTolerance);
