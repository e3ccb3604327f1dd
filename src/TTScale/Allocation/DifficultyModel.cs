using TTScale.Randomness;

namespace TTScale.Allocation;

/// <summary>A training example for the difficulty model: a probe's features and the problem's oracle bin.</summary>
public readonly record struct DifficultySample(DifficultyFeatures Features, int Bin);

/// <summary>How the difficulty model is trained.</summary>
/// <param name="Bins">Number of difficulty bins.</param>
/// <param name="L2">L2 penalty on the weights (not the biases), per example.</param>
/// <param name="Iterations">Full-batch gradient steps.</param>
public sealed record DifficultyTrainingOptions(int Bins = Scaling.DifficultyBins.Default, double L2 = 1e-3, int Iterations = 2000);

/// <summary>How well predicted bins match oracle bins.</summary>
/// <param name="Accuracy">Share of exact matches.</param>
/// <param name="WithinOne">Share predicted at most one bin away.</param>
/// <param name="Confusion"><c>Confusion[oracle][predicted]</c> counts.</param>
public sealed record DifficultyEvaluation(double Accuracy, double WithinOne, int[][] Confusion);

/// <summary>
/// Predicts a prompt's difficulty bin from probe features with no gold answer: multinomial logistic regression with L2
/// on standardised features, trained by deterministic full-batch gradient descent with Nesterov momentum (no random
/// initialisation, so the same samples give the same model). Immutable and thread-safe; prediction does not allocate.
/// </summary>
public sealed class DifficultyModel
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _weights; // [bin * Count + feature]
    private readonly double[] _biases;

    private DifficultyModel(double[] means, double[] scales, double[] weights, double[] biases)
    {
        _means = means;
        _scales = scales;
        _weights = weights;
        _biases = biases;
    }

    /// <summary>Number of bins predicted.</summary>
    public int Bins => _biases.Length;

    /// <summary>Rebuilds a model from its saved form; an <see cref="ArgumentException"/> where the shapes disagree.</summary>
    public static DifficultyModel FromData(DifficultyModelData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int d = DifficultyFeatures.Count;
        // A hand-edited policy.json can leave any of these out or null; that is a fault in the file, not a crash.
        if (data.Means is null || data.Scales is null || data.Weights is null || data.Biases is null || data.Weights.Any(w => w is null))
            throw new ArgumentException("difficulty_model: means, scales, weights and biases must all be given", nameof(data));
        // A model built before prompt_tokens was a feature reads it at zero weight, so it predicts as it was built to.
        if (data.Features is { } names && names.SequenceEqual(DifficultyFeatures.Names.Take(d - 1)))
            data = new DifficultyModelData(DifficultyFeatures.Names, [.. data.Means, 0], [.. data.Scales, 1],
                [.. data.Weights.Select(w => (IReadOnlyList<double>)[.. w, 0])], data.Biases);
        // The weights are read by position: a model over other features, or the same ones in another order, would
        // predict from the wrong inputs without any error.
        if (data.Features is null || !data.Features.SequenceEqual(DifficultyFeatures.Names))
            throw new ArgumentException($"difficulty_model: features must be [{string.Join(", ", DifficultyFeatures.Names)}], in that order", nameof(data));
        if (data.Means.Count != d || data.Scales.Count != d)
            throw new ArgumentException($"difficulty_model: means and scales need {d} entries", nameof(data));
        if (data.Biases.Count < 2 || data.Weights.Count != data.Biases.Count || data.Weights.Any(w => w.Count != d))
            throw new ArgumentException($"difficulty_model: weights must be bins x {d} with one bias per bin", nameof(data));
        if (data.Scales.Any(s => !(s > 0))) throw new ArgumentException("difficulty_model: scales must be positive", nameof(data));
        return new DifficultyModel([.. data.Means], [.. data.Scales], data.Weights.SelectMany(w => w).ToArray(), [.. data.Biases]);
    }

    /// <summary>The model's saved form (policy.json's <c>difficulty_model</c>).</summary>
    public DifficultyModelData ToData()
    {
        int d = DifficultyFeatures.Count;
        var weights = Enumerable.Range(0, Bins).Select(k => (IReadOnlyList<double>)_weights.AsSpan(k * d, d).ToArray()).ToArray();
        return new DifficultyModelData(DifficultyFeatures.Names, _means, _scales, weights, _biases);
    }

    /// <summary>Trains on a training split; an <see cref="ArgumentException"/> for an empty set or a bin out of range.</summary>
    public static DifficultyModel Train(IReadOnlyList<DifficultySample> samples, DifficultyTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new DifficultyTrainingOptions();
        int bins = options.Bins, d = DifficultyFeatures.Count, n = samples.Count;
        if (bins < 2) throw new ArgumentException("--bins must be at least 2", nameof(options));
        if (options.L2 < 0) throw new ArgumentException("--l2 must not be negative", nameof(options));
        if (options.Iterations <= 0) throw new ArgumentException("--iterations must be positive", nameof(options));
        if (n == 0) throw new ArgumentException("the difficulty model needs training samples", nameof(samples));
        if (samples.Any(s => s.Bin < 0 || s.Bin >= bins)) throw new ArgumentException($"sample bins must be in [0, {bins - 1}]", nameof(samples));

        // Standardise so one step size suits every feature, whatever its unit (tokens vs shares).
        var x = new double[n * d];
        for (int i = 0; i < n; i++) samples[i].Features.CopyTo(x.AsSpan(i * d, d));
        var means = new double[d];
        var scales = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0, squares = 0;
            for (int i = 0; i < n; i++) sum += x[i * d + j];
            double mean = sum / n;
            for (int i = 0; i < n; i++) squares += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            double sd = Math.Sqrt(squares / n);
            means[j] = mean;
            scales[j] = sd > 1e-12 ? sd : 1; // a constant feature carries no information; leave it at zero
            for (int i = 0; i < n; i++) x[i * d + j] = (x[i * d + j] - mean) / scales[j];
        }

        // The softmax loss's Hessian is at most 1/2 * (mean squared row norm) = (d + 1) / 2 on standardised rows with a
        // bias, so 1 / L with L = (d + 1) / 2 + l2 is a safe step; Nesterov momentum speeds it up.
        int p = bins * (d + 1);
        double step = 1.0 / ((d + 1) / 2.0 + options.L2);
        var theta = new double[p];
        var previous = new double[p];
        var look = new double[p];
        var gradient = new double[p];
        Span<double> probabilities = stackalloc double[bins];
        for (int t = 1; t <= options.Iterations; t++)
        {
            double momentum = (t - 1.0) / (t + 2.0);
            for (int q = 0; q < p; q++) look[q] = theta[q] + momentum * (theta[q] - previous[q]);
            Array.Clear(gradient);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<double> row = x.AsSpan(i * d, d);
                Softmax(look, row, bins, probabilities);
                for (int k = 0; k < bins; k++)
                {
                    double r = (probabilities[k] - (samples[i].Bin == k ? 1 : 0)) / n;
                    int offset = k * (d + 1);
                    for (int j = 0; j < d; j++) gradient[offset + j] += r * row[j];
                    gradient[offset + d] += r;
                }
            }
            for (int k = 0; k < bins; k++)
                for (int j = 0; j < d; j++) gradient[k * (d + 1) + j] += options.L2 * look[k * (d + 1) + j];
            Array.Copy(theta, previous, p);
            for (int q = 0; q < p; q++) theta[q] = look[q] - step * gradient[q];
        }

        var weights = new double[bins * d];
        var biases = new double[bins];
        for (int k = 0; k < bins; k++)
        {
            Array.Copy(theta, k * (d + 1), weights, k * d, d);
            biases[k] = theta[k * (d + 1) + d];
        }
        return new DifficultyModel(means, scales, weights, biases);
    }

    /// <summary>The most probable bin (ties to the easier bin).</summary>
    public int Predict(in DifficultyFeatures features)
    {
        Span<double> probabilities = stackalloc double[Bins];
        return Predict(features, probabilities);
    }

    /// <summary>Writes each bin's probability into <paramref name="probabilities"/> (length <see cref="Bins"/>) and returns the most probable bin.</summary>
    public int Predict(in DifficultyFeatures features, Span<double> probabilities)
    {
        if (probabilities.Length < Bins) throw new ArgumentException($"probabilities needs {Bins} entries", nameof(probabilities));
        int d = DifficultyFeatures.Count;
        Span<double> z = stackalloc double[DifficultyFeatures.Count];
        features.CopyTo(z);
        for (int j = 0; j < d; j++) z[j] = (z[j] - _means[j]) / _scales[j];
        for (int k = 0; k < Bins; k++)
        {
            double logit = _biases[k];
            for (int j = 0; j < d; j++) logit += _weights[k * d + j] * z[j];
            probabilities[k] = logit;
        }
        SoftmaxInPlace(probabilities[..Bins]);
        int best = 0;
        for (int k = 1; k < Bins; k++)
            if (probabilities[k] > probabilities[best]) best = k;
        return best;
    }

    /// <summary>Accuracy, within-one accuracy and confusion of predicted against oracle bins on <paramref name="samples"/> (a held-out split).</summary>
    public DifficultyEvaluation Evaluate(IReadOnlyList<DifficultySample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("evaluation needs samples", nameof(samples));
        foreach (var s in samples)
            if (s.Bin < 0 || s.Bin >= Bins) throw new ArgumentException($"sample bins must be in [0, {Bins - 1}]", nameof(samples));
        return Score(Bins, [.. samples.Select(s => (s.Bin, Predict(s.Features)))]);
    }

    /// <summary>
    /// <see cref="Evaluate"/> by k-fold cross-validation: samples are dealt into folds by a shuffle seeded with
    /// <paramref name="seed"/> (so no order in the data, such as levels in turn, lines up with the folds), and each fold is
    /// predicted by a model trained on the other folds, so every sample is scored by a model that never saw it.
    /// </summary>
    public static DifficultyEvaluation CrossValidate(IReadOnlyList<DifficultySample> samples, int folds, DifficultyTrainingOptions? options = null,
        long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new DifficultyTrainingOptions();
        if (folds < 2) throw new ArgumentException("--folds must be at least 2", nameof(folds));
        folds = Math.Min(folds, samples.Count); // more would leave folds empty
        int[] foldOf = CrossValidationFolds.Assign(samples.Count, folds, SplitMix64.ForStream(seed, 0));
        var pairs = new List<(int Oracle, int Predicted)>(samples.Count);
        for (int f = 0; f < folds; f++)
        {
            var model = Train([.. samples.Where((_, i) => foldOf[i] != f)], options);
            pairs.AddRange(samples.Where((_, i) => foldOf[i] == f).Select(s => (s.Bin, model.Predict(s.Features))));
        }
        return Score(options.Bins, pairs);
    }

    private static DifficultyEvaluation Score(int bins, IReadOnlyList<(int Oracle, int Predicted)> pairs)
    {
        var confusion = Enumerable.Range(0, bins).Select(_ => new int[bins]).ToArray();
        int exact = 0, near = 0;
        foreach (var (oracle, predicted) in pairs)
        {
            confusion[oracle][predicted]++;
            if (predicted == oracle) exact++;
            if (Math.Abs(predicted - oracle) <= 1) near++;
        }
        return new DifficultyEvaluation((double)exact / pairs.Count, (double)near / pairs.Count, confusion);
    }

    /// <summary>Class probabilities of one standardised row under training parameters (per bin: d weights, then the bias).</summary>
    private static void Softmax(double[] theta, ReadOnlySpan<double> row, int bins, Span<double> probabilities)
    {
        int d = row.Length;
        for (int k = 0; k < bins; k++)
        {
            int offset = k * (d + 1);
            double logit = theta[offset + d];
            for (int j = 0; j < d; j++) logit += theta[offset + j] * row[j];
            probabilities[k] = logit;
        }
        SoftmaxInPlace(probabilities[..bins]);
    }

    /// <summary>Logits to probabilities in place, shifted by the largest so that exp cannot overflow.</summary>
    private static void SoftmaxInPlace(Span<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) max = Math.Max(max, v);
        double total = 0;
        for (int k = 0; k < values.Length; k++) total += values[k] = Math.Exp(values[k] - max);
        for (int k = 0; k < values.Length; k++) values[k] /= total;
    }
}

/// <summary>A difficulty model's saved form: standardisation and one weight row and bias per bin (bin 0 easiest).</summary>
/// <param name="Features">Feature names, in <see cref="DifficultyFeatures.CopyTo"/> order.</param>
/// <param name="Means">Training means, subtracted before scaling.</param>
/// <param name="Scales">Training standard deviations (1 for a constant feature).</param>
/// <param name="Weights">Per bin, one weight per standardised feature.</param>
/// <param name="Biases">Per bin, the intercept.</param>
public sealed record DifficultyModelData(IReadOnlyList<string> Features, IReadOnlyList<double> Means, IReadOnlyList<double> Scales,
    IReadOnlyList<IReadOnlyList<double>> Weights, IReadOnlyList<double> Biases);
