using TTScale.Randomness;
using TTScale.Strategies;

namespace TTScale.Tests.Strategies;

/// <summary>ETS's keep-set program, its greedy fallback, the softmax width, step clusters and tree KV, on small hand-made and random trees.</summary>
public sealed class EtsKeepSetTests
{
    /// <summary>A random tree: branch nodes hang under earlier branches or the prompt; leaves under any branch or the prompt.</summary>
    private static EtsTree RandomTree(long seed, int leaves, int branches, int width = 16)
    {
        var random = SplitMix64.ForStream(seed, 0);
        int Next(int bound) => (int)(random.NextDouble() * bound);
        var parent = Enumerable.Range(0, branches).Select(j => Next(j + 1) - 1).ToArray(); // -1 = the prompt
        IReadOnlyList<int> Chain(int j)
        {
            var chain = new List<int>();
            for (; j >= 0; j = parent[j]) chain.Add(j);
            return chain;
        }
        var ancestors = Enumerable.Range(0, leaves).Select(_ => Chain(Next(branches + 1) - 1)).ToList();
        return new EtsTree(
            Enumerable.Range(0, leaves).Select(_ => random.NextDouble()).ToList(),
            Enumerable.Range(0, leaves).Select(_ => 1 + Next(12)).ToList(),
            ancestors,
            Enumerable.Range(0, branches).Select(_ => 1 + Next(12)).ToList(),
            StepText.Number(Enumerable.Range(0, leaves).Select(_ => Next(4).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            width);
    }

    private static double BruteForce(EtsKeepSet.Program program)
    {
        int n = program.Tree.Leaves;
        double best = double.NegativeInfinity;
        for (int mask = 1; mask < 1 << n; mask++)
            best = Math.Max(best, program.Objective(Enumerable.Range(0, n).Select(i => (mask >> i & 1) == 1).ToArray()));
        return best;
    }

    [Theory]
    [InlineData(1, 1.0, 1.45)]
    [InlineData(2, 1.0, 1.45)]
    [InlineData(3, 1.0, 0.0)]
    [InlineData(4, 3.0, 1.45)]
    [InlineData(5, 0.2, 0.5)]
    [InlineData(6, 1.0, 1.45)]
    public void TheProgramFindsTheBruteForceOptimum(long seed, double lambdaC, double lambdaS)
    {
        for (int t = 0; t < 6; t++)
        {
            var tree = RandomTree(seed * 100 + t, leaves: 3 + t, branches: t + 1);
            var program = new EtsKeepSet.Program(tree, lambdaC, lambdaS);
            var chosen = EtsKeepSet.Exact(program);
            Assert.NotNull(chosen);
            Assert.Contains(true, chosen);
            Assert.Equal(BruteForce(program), program.Objective(chosen), 5);
            Assert.Equal(chosen, EtsKeepSet.Solve(tree, lambdaC, lambdaS)); // the same set every time
        }
    }

    [Theory]
    [InlineData(31, 1.0)]
    [InlineData(32, 4.0)]
    [InlineData(33, 0.1)]
    [InlineData(34, 64.0)]
    public void WithoutCoverageOnePassOverTheTreeFindsTheBruteForceOptimum(long seed, double lambdaC)
    {
        for (int t = 0; t < 8; t++)
        {
            var tree = RandomTree(seed * 100 + t, leaves: 2 + t, branches: 1 + t);
            var program = new EtsKeepSet.Program(tree, lambdaC, 0.0);
            var chosen = EtsKeepSet.TreeOptimum(program);
            Assert.Contains(true, chosen);
            Assert.Equal(BruteForce(program), program.Objective(chosen), 9);
            Assert.Equal(chosen, EtsKeepSet.Solve(tree, lambdaC, 0.0));
        }
        // Past brute force: never below what CP-SAT finds on the same program.
        var large = new EtsKeepSet.Program(RandomTree(seed, leaves: 48, branches: 40, width: 64), lambdaC, 0.0);
        Assert.True(large.Objective(EtsKeepSet.TreeOptimum(large)) >= large.Objective(EtsKeepSet.Exact(large)!) - 1e-6);
    }

    [Fact]
    public void TheGreedyFallbackIsFeasibleAndNearTheOptimum()
    {
        for (long seed = 1; seed <= 5; seed++)
        {
            var tree = RandomTree(seed, leaves: 10, branches: 6);
            var program = new EtsKeepSet.Program(tree, 1.0, 1.45);
            var greedy = EtsKeepSet.Greedy(program);
            Assert.Equal(10, greedy.Length);
            Assert.Contains(true, greedy);
            Assert.True(program.Objective(greedy) <= BruteForce(program) + 1e-9);
            // Large trees take the fallback; its set is what Solve returns.
            Assert.Equal(greedy, EtsKeepSet.Solve(tree, 1.0, 1.45, maxExactVariables: 4));
        }
    }

    [Fact]
    public void AHighKvWeightKeepsOneLeafAndNoneFreeKeepsEveryUsefulBranch()
    {
        var tree = RandomTree(9, leaves: 8, branches: 5);
        Assert.Single(EtsKeepSet.Solve(tree, 100.0, 0.0), true);
        // With no cost and coverage worth more than any leaf's outcome, one leaf of every cluster stays.
        var keep = EtsKeepSet.Solve(tree, 0.0, 10.0);
        Assert.Equal(tree.Clusters.Distinct().Count(), tree.Clusters.Where((_, i) => keep[i]).Distinct().Count());
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(3)]
    public void SoftmaxWidthSumsToTheWidthAndFavoursHighScores(int width)
    {
        double[] scores = [0.9, 0.1, 0.5, 0.85, 0.3];
        var all = EtsKeepSet.Allocate(scores, width, null);
        Assert.Equal(width, all.Sum());
        Assert.True(all[0] >= all[3] && all[3] >= all[2] && all[2] >= all[4] && all[4] >= all[1]);
        bool[] keep = [true, false, true, false, true];
        var kept = EtsKeepSet.Allocate(scores, width, keep);
        Assert.Equal(width, kept.Sum());
        Assert.Equal(0, kept[1] + kept[3]);
    }

    [Fact]
    public void SoftmaxWidthFollowsTheSequentialCeilingRule()
    {
        // exp(0.5/0.2) = 12.18 and exp(0) = 1 at temperature 0.2: the first takes ceil(4 * 12.18 / 13.18) = 4 of 4.
        Assert.Equal([4, 0], EtsKeepSet.Allocate([0.5, 0.0], 4, null));
        // Equal scores: ceil(5 / 3) = 2, then ceil(3 / 2) = 2, then the last 1.
        Assert.Equal([2, 2, 1], EtsKeepSet.Allocate([0.3, 0.3, 0.3], 5, null));
    }

    [Fact]
    public void LogicalKvCountsSharedPrefixesOnce()
    {
        // prompt(10) -> a(4) -> {a1(3), a2(5)}; prompt -> b(6) -> b1(2); a finished leaf c(7) under a1 is not live.
        var prompt = new SearchNode(null, 10);
        var a = new SearchNode(prompt, 4);
        var a1 = new SearchNode(a, 3);
        var a2 = new SearchNode(a, 5);
        var b = new SearchNode(prompt, 6);
        var b1 = new SearchNode(b, 2);
        _ = new SearchNode(a1, 7);
        Assert.Equal(10 + 4 + 3 + 5 + 6 + 2, SearchNode.UniqueTokens([a1, a2, b1]));
        Assert.Equal(10 + 4 + 3, SearchNode.UniqueTokens([a1, a1])); // two beams on one node (forks before they step)
        Assert.Equal(10 + 4 + 5, SearchNode.UniqueTokens([a2]));
    }

    [Fact]
    public async Task BuiltInEmbeddersClusterByTextAndByArithValue()
    {
        var text = await new TextStepEmbedder().ClusterAsync(["3+4=7\n", " 3+4=7", "3+5=8\n", "A: 8\n"]);
        Assert.Equal([0, 0, 1, 2], text);
        var value = await new ArithValueStepEmbedder().ClusterAsync(["3+4=7\n", "5+2=7\n", "3+5=8\n", "A: 8\n", "A: 8", "hello"]);
        Assert.Equal([0, 0, 1, 2, 2, 3], value);
    }

    [Fact]
    public void EmbeddingsClusterByAverageLinkageCosine()
    {
        float[][] vectors = [[1, 0], [0.999f, 0.02f], [0, 1], [0.01f, 1], [1, 1]];
        Assert.Equal([0, 0, 1, 1, 2], StepClusters.ByCosine(vectors));
        Assert.Equal([0, 0, 0, 0, 0], StepClusters.ByCosine(vectors, threshold: 1.0));
    }
}
