using TTScale.Randomness;

namespace TTScale.Allocation;

/// <summary>Fold assignment for cross-validation: a seeded shuffle dealt round-robin, so folds follow no order in the data.</summary>
internal static class CrossValidationFolds
{
    /// <summary>The fold (0..folds-1) of each of <paramref name="count"/> items: a Fisher-Yates shuffle from <paramref name="random"/>, item at shuffled position p in fold p mod folds.</summary>
    public static int[] Assign(int count, int folds, SplitMix64 random)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var fold = new int[count];
        for (int p = 0; p < count; p++) fold[order[p]] = p % folds;
        return fold;
    }
}
