using Google.OrTools.Sat;

namespace TTScale.Strategies;

/// <summary>
/// The candidate tree of one ETS round: the live leaves (each a newest step) and their ancestor ("branch") nodes below the
/// shared prompt, with real token counts, the leaves' scores and semantic clusters.
/// </summary>
/// <param name="Scores">Each leaf's verifier score.</param>
/// <param name="LeafTokens">Tokens of each leaf's newest step.</param>
/// <param name="Ancestors">For each leaf, the indices of its ancestor nodes in <paramref name="BranchTokens"/>, nearest first (its parent, then that node's parent, up to the node below the prompt).</param>
/// <param name="BranchTokens">Tokens of each ancestor node.</param>
/// <param name="Clusters">Each leaf's semantic cluster id.</param>
/// <param name="Width">The width still to spend: how many sequences the next round may run.</param>
internal sealed record EtsTree(IReadOnlyList<double> Scores, IReadOnlyList<int> LeafTokens, IReadOnlyList<IReadOnlyList<int>> Ancestors,
    IReadOnlyList<int> BranchTokens, IReadOnlyList<int> Clusters, int Width)
{
    public int Leaves => Scores.Count;
}

/// <summary>
/// ETS's keep-set program (Hooper et al. 2025, <c>select_softmax_costmodel</c>): choose leaves x_i and so the ancestors y_j they
/// keep alive to maximise
/// <c>sum O_i x_i - lambda_c (sum c_j y_j + sum c_i x_i) + lambda_s / K * clusters covered</c>
/// subject to <c>y_j &gt;= x_i</c> for i under j, <c>y_j &lt;= sum x_i</c> under j, <c>cover_k &lt;= sum x_i</c> in k, and at least one leaf.
/// O_i is leaf i's share of the width under the sequential softmax allocation. The reference charges every node 1/(nodes);
/// here a node costs its real tokens over all the tree's tokens below the prompt, so the KV term lies in [0, lambda_c] like the
/// reference's, but a long step costs more than a short one. The prompt is left out: every choice keeps it, so it would only
/// dilute the term. Without the coverage term the program is a tree problem, solved exactly by one pass over the tree;
/// with it, exactly by CP-SAT (one worker, deterministic), and a greedy fallback serves large trees.
/// </summary>
internal static class EtsKeepSet
{
    /// <summary>The softmax temperature of the width allocation (ETS's <c>softmax_temperature</c>).</summary>
    public const double Temperature = 0.2;

    /// <summary>Trees with more leaf and ancestor variables than this go to the greedy fallback.</summary>
    public const int MaxExactVariables = 2048;

    /// <summary>Objective coefficients are scaled to integers for CP-SAT at this resolution.</summary>
    private const double Scale = 1e7;

    /// <summary>The program's coefficients for one tree.</summary>
    internal sealed class Program
    {
        public EtsTree Tree { get; }
        public double[] Outcome { get; }
        public double[] LeafCost { get; }
        public double[] BranchCost { get; }
        /// <summary>lambda_s / K, or 0 where coverage is switched off (lambda_s = 0, one leaf, or one cluster).</summary>
        public double CoverageWeight { get; }
        public int ClusterCount { get; }

        public Program(EtsTree tree, double lambdaC, double lambdaS)
        {
            Tree = tree;
            var shares = Allocate(tree.Scores, Math.Max(tree.Width, 1), null);
            double total = shares.Sum();
            Outcome = shares.Select(s => s / total).ToArray();
            double tokens = tree.LeafTokens.Sum() + (double)tree.BranchTokens.Sum();
            LeafCost = tree.LeafTokens.Select(t => tokens == 0 ? 0 : lambdaC * t / tokens).ToArray();
            BranchCost = tree.BranchTokens.Select(t => tokens == 0 ? 0 : lambdaC * t / tokens).ToArray();
            ClusterCount = tree.Clusters.Count == 0 ? 0 : tree.Clusters.Max() + 1;
            CoverageWeight = lambdaS == 0 || tree.Leaves <= 1 || ClusterCount <= 1 ? 0 : lambdaS / ClusterCount;
        }

        /// <summary>The objective of keeping the leaves marked in <paramref name="keep"/>.</summary>
        public double Objective(IReadOnlyList<bool> keep)
        {
            double value = 0;
            var branches = new HashSet<int>();
            var clusters = new HashSet<int>();
            for (int i = 0; i < keep.Count; i++)
            {
                if (!keep[i]) continue;
                value += Outcome[i] - LeafCost[i];
                branches.UnionWith(Tree.Ancestors[i]);
                clusters.Add(Tree.Clusters[i]);
            }
            return value - branches.Sum(j => BranchCost[j]) + CoverageWeight * clusters.Count;
        }
    }

    /// <summary>The leaves to keep: the program's optimum, or the greedy set for large trees or when the solver fails.</summary>
    public static bool[] Solve(EtsTree tree, double lambdaC, double lambdaS, int maxExactVariables = MaxExactVariables)
    {
        if (tree.Leaves == 0) return [];
        var program = new Program(tree, lambdaC, lambdaS);
        if (program.CoverageWeight == 0) return TreeOptimum(program);
        if (tree.Leaves + tree.BranchTokens.Count > maxExactVariables) return Greedy(program);
        return Exact(program) ?? Greedy(program);
    }

    /// <summary>
    /// The optimum without the coverage term, bottom-up: a node's value, if anything under it is kept, is its own cost
    /// plus its children's positive values (or, where none is positive, its best child's, since something is kept).
    /// The prompt is a free node; ties go to the lower index.
    /// </summary>
    internal static bool[] TreeOptimum(Program program)
    {
        var tree = program.Tree;
        int leaves = tree.Leaves, branches = tree.BranchTokens.Count;
        // Nodes 0..leaves-1 are the leaves, then the branches, then the prompt.
        int root = leaves + branches;
        var children = Enumerable.Range(0, root + 1).Select(_ => new List<int>()).ToArray();
        var depth = new int[branches];
        var linked = new bool[branches];
        for (int i = 0; i < leaves; i++)
        {
            var chain = tree.Ancestors[i];
            children[chain.Count > 0 ? leaves + chain[0] : root].Add(i);
            for (int k = 0; k < chain.Count; k++)
            {
                depth[chain[k]] = chain.Count - k;
                if (linked[chain[k]]) continue;
                linked[chain[k]] = true;
                children[k + 1 < chain.Count ? leaves + chain[k + 1] : root].Add(leaves + chain[k]);
            }
        }
        var value = new double[root + 1];
        for (int i = 0; i < leaves; i++) value[i] = program.Outcome[i] - program.LeafCost[i];
        double Best(int node) => children[node].Any(c => value[c] > 0) ? children[node].Where(c => value[c] > 0).Sum(c => value[c]) : children[node].Max(c => value[c]);
        foreach (int j in Enumerable.Range(0, branches).Where(j => linked[j]).OrderByDescending(j => depth[j]).ThenBy(j => j))
            value[leaves + j] = Best(leaves + j) - program.BranchCost[j];

        var keep = new bool[leaves];
        void Keep(int node)
        {
            if (node < leaves)
            {
                keep[node] = true;
                return;
            }
            var positive = children[node].Where(c => value[c] > 0).ToList();
            if (positive.Count > 0) positive.ForEach(Keep);
            else Keep(children[node].OrderByDescending(c => value[c]).ThenBy(c => c).First());
        }
        Keep(root);
        return keep;
    }

    /// <summary>The optimum by CP-SAT; null where the solver found no solution.</summary>
    internal static bool[]? Exact(Program program)
    {
        var tree = program.Tree;
        var model = new CpModel();
        var x = Enumerable.Range(0, tree.Leaves).Select(i => model.NewBoolVar($"x{i}")).ToArray();
        var y = Enumerable.Range(0, tree.BranchTokens.Count).Select(j => model.NewBoolVar($"y{j}")).ToArray();
        var under = y.Select(_ => new List<ILiteral>()).ToArray();
        for (int i = 0; i < tree.Leaves; i++)
            foreach (int j in tree.Ancestors[i])
            {
                model.AddImplication(x[i], y[j]);
                under[j].Add(x[i]);
            }
        for (int j = 0; j < y.Length; j++) model.AddBoolOr([.. under[j], y[j].Not()]);
        model.AddBoolOr(x);

        var terms = new List<BoolVar>();
        var weights = new List<long>();
        void Term(BoolVar v, double weight)
        {
            terms.Add(v);
            weights.Add((long)Math.Round(weight * Scale));
        }
        for (int i = 0; i < x.Length; i++) Term(x[i], program.Outcome[i] - program.LeafCost[i]);
        for (int j = 0; j < y.Length; j++) Term(y[j], -program.BranchCost[j]);
        if (program.CoverageWeight > 0)
            for (int k = 0; k < program.ClusterCount; k++)
            {
                var cover = model.NewBoolVar($"cover{k}");
                model.AddBoolOr([.. Enumerable.Range(0, tree.Leaves).Where(i => tree.Clusters[i] == k).Select(i => (ILiteral)x[i]), cover.Not()]);
                Term(cover, program.CoverageWeight);
            }
        model.Maximize(LinearExpr.WeightedSum(terms, weights));

        // One worker and a deterministic time limit: the same tree always gives the same set.
        var solver = new CpSolver { StringParameters = "num_workers:1,random_seed:0,max_deterministic_time:5" };
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible)) return null;
        return x.Select(v => solver.BooleanValue(v)).ToArray();
    }

    /// <summary>
    /// Greedy fallback: start from the single best leaf, then add whichever leaf raises the objective most, while one does.
    /// Always feasible (at least one leaf; ancestors follow their leaves).
    /// </summary>
    internal static bool[] Greedy(Program program)
    {
        int n = program.Tree.Leaves;
        var keep = new bool[n];
        double current = double.NegativeInfinity;
        while (true)
        {
            int best = -1;
            double bestValue = current;
            for (int i = 0; i < n; i++)
            {
                if (keep[i]) continue;
                keep[i] = true;
                double value = program.Objective(keep);
                keep[i] = false;
                if (value > bestValue + 1e-12) (best, bestValue) = (i, value);
            }
            if (best < 0) return keep;
            keep[best] = true;
            current = bestValue;
        }
    }

    /// <summary>
    /// ETS's sequential softmax allocation of <paramref name="width"/>: leaves in descending score order each take
    /// <c>ceil(remaining * exp(s_i / T) / sum over the rest of exp(s / T))</c>; leaves not in <paramref name="keep"/> take none.
    /// The counts sum to the width (the last kept leaf takes what remains), though low leaves may take 0 when the width is short.
    /// </summary>
    public static int[] Allocate(IReadOnlyList<double> scores, int width, IReadOnlyList<bool>? keep)
    {
        var counts = new int[scores.Count];
        var order = Enumerable.Range(0, scores.Count).Where(i => keep?[i] ?? true)
            .OrderByDescending(i => scores[i]).ThenBy(i => i).ToList();
        if (order.Count == 0) return counts;
        double max = order.Max(i => scores[i]);
        var weight = order.ToDictionary(i => i, i => Math.Exp((scores[i] - max) / Temperature));
        double rest = weight.Values.Sum();
        int remaining = width;
        foreach (int i in order)
        {
            if (remaining <= 0) break;
            int take = i == order[^1] ? remaining : Math.Min(remaining, (int)Math.Ceiling(remaining * weight[i] / rest - 1e-9));
            counts[i] = take;
            remaining -= take;
            rest -= weight[i];
        }
        return counts;
    }
}
