using System.Text.Json;
using TTScale.Evaluation;
using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class ScalingStudyTests
{
    private static readonly ScalingOptions Options = new() { Replay = new ReplayOptions { Seed = 5 } };

    private static FitReport Report()
    {
        var pool = ScalingFixtures.Pool(100, 64, 3);
        var bins = DifficultyBins.FromPool(pool);
        // A directly-run series: pretend beam search's records at each budget are the pool's records (one per problem).
        var records = ScalingFixtures.Records(100, 64, 3);
        var runs = new[] { 1, 2, 4, 8, 16, 32, 64 }.Select(n => (n, (IReadOnlyList<EvalRecord>)records
            .Select((r, i) => r with { Correct = i % 64 < n || r.Candidates[0].Correct }).ToList()));
        var direct = DirectSeries.FromRuns("beam", runs, ComputeAxis.Flops, bins);
        return ScalingStudy.Fit(pool, direct, Options);
    }

    [Fact]
    public void FitsEveryRuleForAllProblemsAndEachBinWithHeldOutErrorsAndSaturation()
    {
        var report = Report();
        Assert.Equal(4 * 6, report.Series.Count); // 3 replayed rules + beam, each for all problems and 5 bins
        Assert.Equal([1, 2, 4, 8, 16, 32, 64], report.Budgets);
        Assert.Equal(5, report.Bins.Count);
        foreach (var series in report.Series)
        {
            Assert.NotNull(series.Chosen);
            Assert.Equal("validation_error", series.ChosenBy);
            Assert.Equal(3, series.Candidates.Count);
            Assert.All(series.Candidates, c => Assert.Equal([32, 64], c.HeldOut.Select(h => h.Budget)));
            Assert.NotNull(series.Saturation);
        }
        var weighted = report.Find("best-of-n/weighted")!;
        var chosen = weighted.ChosenFit()!;
        Assert.Equal(weighted.Candidates.Min(c => c.ValidationError), chosen.ValidationError);
        Assert.True(chosen.HeldOutMae < 0.05, $"held-out MAE {chosen.HeldOutMae}");
        Assert.Equal(report.Series.Count, report.Rows().Count());
    }

    [Fact]
    public void TheChoiceOfModelNeverLooksPastTheSplit()
    {
        var report = Report();
        var weighted = report.Find("best-of-n/weighted")!;
        var series = new ScalingSeries(weighted.Strategy, 0, ComputeAxis.Flops, weighted.Source, weighted.Points);
        // Wildly different held-out budgets: the same model is chosen, with the same split fit; only its held-out errors move.
        var moved = series with { Points = [.. series.Points.Select(p => p.Budget > Options.FitMaxBudget ? p with { Accuracy = 0.99 } : p)] };
        SeriesFit a = ScalingStudy.FitSeries(series, Options), b = ScalingStudy.FitSeries(moved, Options);
        Assert.Equal((a.Chosen, a.ChosenBy), (b.Chosen, b.ChosenBy));
        Assert.Equal(a.ChosenFit()!.Curve.Parameters.Select(p => p.Value), b.ChosenFit()!.Curve.Parameters.Select(p => p.Value));
        Assert.Equal(a.Candidates.Select(c => c.ValidationError), b.Candidates.Select(c => c.ValidationError));
        Assert.NotEqual(a.ChosenFit()!.HeldOutMae, b.ChosenFit()!.HeldOutMae);
    }

    [Fact]
    public void TheByBinPredictionIsTheBinsCurvesWeightedByTheirProblems()
    {
        var report = Report();
        Assert.Equal(["best-of-n/naive", "best-of-n/weighted", "best-of-n/majority"], report.ByBin!.Select(b => b.Strategy));
        var weighted = report.ByBin!.Single(b => b.Strategy == "best-of-n/weighted");
        var overall = report.Find("best-of-n/weighted")!.ChosenFit()!.HeldOut;
        Assert.Equal(overall.Select(h => (h.Budget, h.Actual)), weighted.HeldOut.Select(h => (h.Budget, h.Actual)));
        foreach (var h in weighted.HeldOut)
        {
            double expected = report.Bins.Sum(bin => bin.Problems / 100.0 *
                report.Find("best-of-n/weighted", bin.Bin)!.ChosenFit()!.HeldOut.Single(x => x.Budget == h.Budget).Predicted);
            Assert.Equal(expected, h.Predicted, 12);
            Assert.Equal(Math.Abs(h.Predicted - h.Actual), h.AbsoluteError, 12);
        }
    }

    [Fact]
    public void FitJsonRoundTrips()
    {
        var report = Report();
        string json = FitReportJson.Serialize(report);
        var back = FitReportJson.Deserialize(json);
        Assert.Equal(json, FitReportJson.Serialize(back));
        using var document = JsonDocument.Parse(json);
        Assert.Equal("flops", document.RootElement.GetProperty("axis").GetString());
        Assert.Equal(16, document.RootElement.GetProperty("fit_max_budget").GetInt32());
        Assert.Contains("\"chosen\": \"", json, StringComparison.Ordinal);
        Assert.Contains("\"strategy\": \"pass@k\"", FitReportJson.Serialize(ScalingStudy.Fit(ScalingFixtures.Pool(20, 8, 1), null,
            Options with { Rules = [ReplayRule.Coverage], FitMaxBudget = 4, Bins = 2 })), StringComparison.Ordinal);
    }

    [Fact]
    public void FittingAReplayAlreadyRunGivesTheSameReportAsFittingItsPool()
    {
        var pool = ScalingFixtures.Pool(60, 16, 4);
        var options = Options with { Budgets = [1, 2, 3, 4, 8, 16], FitMaxBudget = 4, Bins = 3 };
        var replay = PoolReplay.Run(pool, options.Budgets!, options.Replay);
        Assert.Equal(FitReportJson.Serialize(ScalingStudy.Fit(pool, null, options)),
            FitReportJson.Serialize(ScalingStudy.FitReplay(replay, null, options with { Budgets = null })));
    }

    [Fact]
    public void WhereTheSplitIsTooShortToValidateTheModelIsChosenByFitError()
    {
        // Budgets 1 and 2 only: every model that fits two points, none that could be fitted on one and judged on the other.
        var report = ScalingStudy.Fit(ScalingFixtures.Pool(30, 2, 2), null, Options with { Rules = [ReplayRule.Majority], Bins = 1 });
        Assert.All(report.Series, s => Assert.Equal("fit_rmse", s.ChosenBy));
        Assert.Empty(report.ByBin!.Single().HeldOut); // nothing held out to predict
    }

    [Fact]
    public void WhereOnlyOneModelCanBeValidatedThatOneIsKept()
    {
        // Budgets 1, 2, 4 under the split: only the 2-parameter model fits on 1 and 2 to be judged at 4.
        var report = ScalingStudy.Fit(ScalingFixtures.Pool(30, 4, 2), null, Options with { Rules = [ReplayRule.Majority], Bins = 1, FitMaxBudget = 4 });
        var all = report.Find("best-of-n/majority")!;
        Assert.Equal([CurveModel.Ttspm], all.Candidates.Where(c => c.ValidationError is not null).Select(c => c.Model));
        // The 3-parameter models pass through the 3 points exactly (RMSE about 0): the one model validated is kept, where
        // the raw RMSE chose an exact fit every time.
        Assert.Equal("only_validated", all.ChosenBy);
        Assert.Equal(CurveModel.Ttspm, all.Chosen);
    }

    [Fact]
    public void ParameterErrorsAreBootstrappedOverProblems()
    {
        // Every budget is measured on the same 40 problems: the points sit on a smooth curve, so the fit's standard errors
        // are small, while another 40 problems would move the whole curve. The bootstrap sees that; it is seeded.
        var pool = ScalingFixtures.Pool(40, 16, 4);
        var options = Options with { Rules = [ReplayRule.Majority], Bins = 1 };
        var curve = ScalingStudy.Fit(pool, null, options).Find("best-of-n/majority")!.Curve!;
        Assert.All(curve.Parameters, p => Assert.True(p.BootstrapError > 0));
        Assert.Contains(curve.Parameters, p => p.StandardError is { } se && p.BootstrapError > 3 * se);
        Assert.Equal(curve.Parameters, ScalingStudy.Fit(pool, null, options).Find("best-of-n/majority")!.Curve!.Parameters);
        var reseeded = ScalingStudy.Fit(pool, null, options with { Replay = new ReplayOptions { Seed = 6 } }).Find("best-of-n/majority")!.Curve!;
        Assert.NotEqual(curve.Parameters.Select(p => p.BootstrapError), reseeded.Parameters.Select(p => p.BootstrapError));
        var off = ScalingStudy.Fit(pool, null, options with { BootstrapSamples = 0 }).Find("best-of-n/majority")!.Curve!;
        Assert.All(off.Parameters, p => Assert.Null(p.BootstrapError));
    }

    [Fact]
    public void SimulatorReadsTheFitAndReplaysThePool()
    {
        var pool = ScalingFixtures.Pool(100, 64, 3);
        var report = ScalingStudy.Fit(pool, null, Options);
        var replayed = Simulator.FromPool(pool, ReplayRule.Weighted, 32, ComputeAxis.Flops, Options.Replay);
        var fitted = Simulator.FromFit(report, "best-of-n/weighted", 32);
        Assert.Equal(replayed.Compute, fitted.Compute, replayed.Compute * 1e-9); // the compute line is exact at a replayed budget
        // N = 1 runs no verifier: an affine line through the points put it off by the verifier's cost.
        Assert.Equal(Simulator.FromPool(pool, ReplayRule.Weighted, 1, ComputeAxis.Flops, Options.Replay).Compute,
            Simulator.FromFit(report, "best-of-n/weighted", 1).Compute, 1e-9 * replayed.Compute);
        Assert.Equal(replayed.Accuracy, fitted.Accuracy, 0.03);
        var atCompute = Simulator.FromFitAtCompute(report, "best-of-n/weighted", fitted.Compute);
        Assert.Equal(32, atCompute.Budget, 1e-6);
        Assert.Equal(fitted.Accuracy, atCompute.Accuracy, 1e-9);
        Assert.Equal(64, Simulator.BudgetForCompute(pool, ReplayRule.Weighted, pool.ExpectedCost(64).Flops * 1.001, ComputeAxis.Flops));
        Assert.Contains("--strategy 'dvts'", Assert.Throws<ArgumentException>(() => Simulator.FromFit(report, "dvts", 8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABinsBudgetAtAComputeIsReadOffItsOwnCosts()
    {
        // Harder problems write longer solutions: N at a compute for one bin must come from that bin's costs.
        var pool = SamplePool.FromRecords(ScalingFixtures.Records(100, 64, 3).Select(r => r.Candidates.Count(c => c.Correct) > 8 ? r
            : r with { Ledger = r.Ledger with { Flops = 4 * r.Ledger.Flops, VerifierFlops = 4 * r.Ledger.VerifierFlops, TotalFlops = 4 * r.Ledger.TotalFlops } }));
        var bins = DifficultyBins.FromPool(pool);
        var (bin, problems) = Enumerable.Range(1, 5).Select(b => (b, bins.ProblemIndices(b).Select(i => pool.Problems[i]).ToList()))
            .MaxBy(x => pool.ExpectedCost(8, x.Item2).Flops);
        double compute = pool.ExpectedCost(8, problems).Flops * 1.001;
        Assert.Equal(8, Simulator.BudgetForCompute(pool, ReplayRule.Weighted, compute, ComputeAxis.Flops, problems));
        Assert.True(Simulator.BudgetForCompute(pool, ReplayRule.Weighted, compute, ComputeAxis.Flops) > 8); // the whole pool is cheaper
        Assert.True(Simulator.FromPool(pool, ReplayRule.Weighted, 8, ComputeAxis.Flops, null, bins, bin).Compute <= compute);
    }

    [Fact]
    public void DirectSeriesOnAnotherAxisIsRejected()
    {
        var series = new ScalingSeries("beam", 0, ComputeAxis.Tokens, "direct", [new ScalingPoint(1, 1, 0.5, 10)]);
        Assert.Throws<ArgumentException>(() => ScalingStudy.Fit(null, [series], Options));
    }
}
