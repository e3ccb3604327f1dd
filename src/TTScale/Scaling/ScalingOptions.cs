namespace TTScale.Scaling;

/// <summary>What <see cref="ScalingStudy"/> replays and fits.</summary>
public sealed record ScalingOptions
{
    /// <summary>The compute axis curves are fitted against (default FLOPs, verifier included).</summary>
    public ComputeAxis Axis { get; init; } = ComputeAxis.Flops;

    /// <summary>Budgets to replay from the pool; null for the powers of two up to K.</summary>
    public IReadOnlyList<int>? Budgets { get; init; }

    /// <summary>Rules replayed from the pool (default naive, weighted, majority; add <see cref="ReplayRule.Coverage"/> for the pass@k ceiling).</summary>
    public IReadOnlyList<ReplayRule> Rules { get; init; } = ReplayRules.Selections;

    /// <summary>Curve models tried on each series.</summary>
    public IReadOnlyList<CurveModel> Models { get; init; } = CurveModels.All;

    /// <summary>The held-out split: fit budgets &lt;= this, judge on the larger ones (default 16).</summary>
    public int FitMaxBudget { get; init; } = 16;

    /// <summary>Saturation threshold: marginal gain per extra candidate in accuracy (default 0.005 = 0.5 points).</summary>
    public double Epsilon { get; init; } = 0.005;

    /// <summary>Difficulty bins (default 5 quintiles); curves are fitted for all problems and for each bin.</summary>
    public int Bins { get; init; } = 5;

    /// <summary>Starting points per fit.</summary>
    public int Starts { get; init; } = 6;

    /// <summary>Saturation search cap: N* beyond it is reported as not reached.</summary>
    public int MaxSaturationBudget { get; init; } = 1 << 16;

    /// <summary>
    /// Bootstrap resamples of the problems for each chosen curve's parameter errors (0: none). Every budget is measured
    /// on the same problems, so the fit's own standard errors miss the sampling uncertainty; these do not.
    /// </summary>
    public int BootstrapSamples { get; init; } = 100;

    /// <summary>Monte-Carlo and enumeration settings of the replay (its seed is the report's seed).</summary>
    public ReplayOptions Replay { get; init; } = new();

    /// <summary>Checks the values; messages name the CLI option.</summary>
    /// <exception cref="ArgumentException">An invalid value.</exception>
    public void Validate()
    {
        if (FitMaxBudget < 1) throw new ArgumentException($"--fit-max-budget {FitMaxBudget} must be 1 or more", nameof(FitMaxBudget));
        if (!(Epsilon > 0)) throw new ArgumentException($"--epsilon {Epsilon} must be positive (accuracy per extra candidate, 0.005 = 0.5 points)", nameof(Epsilon));
        if (Bins < 1) throw new ArgumentException($"--bins {Bins} must be 1 or more", nameof(Bins));
        if (Starts < 1) throw new ArgumentException($"Starts {Starts} must be 1 or more", nameof(Starts));
        if (Models.Count == 0) throw new ArgumentException("Models names no curve model", nameof(Models));
        if (BootstrapSamples is < 0 or 1) throw new ArgumentException($"--bootstrap {BootstrapSamples} must be 0 (none) or 2 or more: a spread needs two resamples", nameof(BootstrapSamples));
        if (MaxSaturationBudget < 1) throw new ArgumentException($"MaxSaturationBudget {MaxSaturationBudget} must be 1 or more", nameof(MaxSaturationBudget));
        Replay.Validate();
    }
}
