using TTScale.Allocation;
using TTScale.Evaluation;
using TTScale.Randomness;

namespace TTScale.Tests.Allocation;

public class DifficultyModelTests
{
    private static List<DifficultySample> Samples(ulong seed, int count, double noise)
    {
        var random = new SplitMix64(seed);
        return Enumerable.Range(0, count).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, noise), i % 5)).ToList();
    }

    [Fact]
    public void LearnsASeparableOrdering()
    {
        var model = DifficultyModel.Train(Samples(1, 500, 0.1));
        var evaluation = model.Evaluate(Samples(2, 250, 0.1));
        Assert.True(evaluation.Accuracy > 0.95, $"accuracy {evaluation.Accuracy}");
        Assert.Equal(1.0, evaluation.WithinOne);
        Assert.Equal(250, evaluation.Confusion.Sum(row => row.Sum()));
        Assert.Equal(50, evaluation.Confusion[3].Sum());
    }

    [Fact]
    public void CrossValidationScoresEverySampleOnceWithAModelThatDidNotSeeIt()
    {
        var order = new SplitMix64(7);
        var samples = Samples(5, 300, 0.1).OrderBy(_ => order.NextUInt64()).ToList(); // bins in no pattern the folds could follow
        var cv = DifficultyModel.CrossValidate(samples, folds: 5);
        Assert.Equal(300, cv.Confusion.Sum(row => row.Sum()));
        Assert.True(cv.Accuracy > 0.95, $"accuracy {cv.Accuracy}");
        // Pure noise: a model that memorised its test fold would score far above chance; held out, it cannot.
        var random = new SplitMix64(6);
        var noise = Enumerable.Range(0, 300).Select(i => new DifficultySample(TestPolicies.Features(2, ref random, 1.0), (int)(random.NextUInt64() % 5))).ToList();
        Assert.InRange(DifficultyModel.CrossValidate(noise, folds: 5).Accuracy, 0.05, 0.4);
        Assert.Throws<ArgumentException>(() => DifficultyModel.CrossValidate(samples, folds: 1));
        // Bins in turn (0, 1, 2, 3, 4, 0, ...) with 5 folds: folds by position would each hold one bin that training never saw.
        var inTurn = Samples(8, 300, 0.1);
        Assert.True(DifficultyModel.CrossValidate(inTurn, folds: 5, seed: 3).Accuracy > 0.95);
        Assert.Equal(DifficultyModel.CrossValidate(inTurn, 5, seed: 3).Confusion, DifficultyModel.CrossValidate(inTurn, 5, seed: 3).Confusion);
    }

    [Fact]
    public void ProbabilitiesSumToOneAndPickTheArgmax()
    {
        var model = DifficultyModel.Train(Samples(3, 200, 0.5));
        Span<double> p = stackalloc double[5];
        var random = new SplitMix64(4);
        int bin = model.Predict(TestPolicies.Features(2, ref random, 0.5), p);
        double sum = 0;
        foreach (double x in p) sum += x;
        Assert.Equal(1.0, sum, 12);
        for (int k = 0; k < 5; k++) Assert.True(p[bin] >= p[k]);
    }

    [Fact]
    public void TrainingIsDeterministicAndSavedFormPredictsTheSame()
    {
        var samples = Samples(5, 300, 0.4);
        var a = DifficultyModel.Train(samples);
        var b = DifficultyModel.FromData(DifficultyModel.Train(samples).ToData());
        Assert.Equal(a.ToData().Biases, b.ToData().Biases);
        foreach (var s in Samples(6, 100, 0.4)) Assert.Equal(a.Predict(s.Features), b.Predict(s.Features));
    }

    [Fact]
    public void ProbeFeaturesComeFromTheFirstKCandidates()
    {
        CandidateRecord C(string? answer, float? score, int tokens) => new("t", answer, false, [], score, tokens, -0.5 * tokens, null, null);
        var features = DifficultyFeatures.FromProbe([C("7", 0.8f, 10), C("7.0", 0.6f, 20), C("8", 0.4f, 30), C(null, null, 40), C("9", 1f, 1)], k: 4, promptTokens: 17);
        Assert.Equal(0.5, features.Agreement);
        Assert.Equal(2, features.DistinctAnswers);
        Assert.Equal(0.6, features.MeanScore, 6);
        Assert.Equal(Math.Sqrt(0.08 / 3), features.ScoreSpread, 6);
        Assert.Equal(-0.5, features.MeanLogProbPerToken, 12);
        Assert.Equal(25, features.MeanTokens);
        Assert.Equal(17, features.PromptTokens);
    }

    [Fact]
    public void AProbeOfNoSamplesReadsThePromptAlone()
    {
        var features = DifficultyFeatures.FromProbe([], k: 0, promptTokens: 23);
        Assert.Equal(new DifficultyFeatures(0, 0, 0, 0, 0, 0, 23), features);
        Assert.Throws<ArgumentException>(() => DifficultyFeatures.FromProbe([], k: 1, promptTokens: 23)); // a probe that drew nothing
        Assert.Throws<ArgumentException>(() => DifficultyFeatures.FromProbe([], k: -1, promptTokens: 23));
    }

    [Fact]
    public void ThePromptsLengthAloneSeparatesBinsItTracks()
    {
        // Bins whose prompts differ in length (longer chains are harder): a model with nothing else to read learns them.
        var random = new SplitMix64(3);
        var samples = Enumerable.Range(0, 300).Select(i =>
        {
            int bin = i % 3;
            return new DifficultySample(DifficultyFeatures.FromProbe([], 0, 12 + 10 * bin + random.NextInt(0, 4)), bin);
        }).ToList();
        var model = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Bins: 3));
        Assert.Equal(1.0, model.Evaluate(samples).Accuracy);
    }
}
