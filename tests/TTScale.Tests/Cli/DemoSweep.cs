namespace TTScale.Tests.Cli;

/// <summary>
/// One small sweep on the demo models, shared by the tests of the commands that read sweeps (fit, simulate, policy):
/// 16 level 1-2 problems, a best-of-n pool of 8 and beam at 1, 2, 4, 8 (a few seconds).
/// </summary>
public sealed class DemoSweep : IDisposable
{
    public DemoSweep()
    {
        Root = Directory.CreateTempSubdirectory("ttscale-demo-sweep-").FullName;
        var result = CliRunner.Run("sweep", "--out", Folder, "--dataset", Dataset, "--strategies", "best-of-n,beam", "--budgets", "1,2,4,8");
        if (result.ExitCode != 0) throw new InvalidOperationException($"the demo sweep failed: {result.StdErr}");
    }

    /// <summary>The sweep's problems: levels 2-3, where the demo policy is neither always right nor hopeless, so budgets matter.</summary>
    public const string Dataset = "arith:count=16,levels=2-3,seed=5";

    public string Root { get; }

    public string Folder => Path.Combine(Root, "sweep");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
