namespace Vision.Models.Plates;

/// <summary>A recognised text line: its characters and, for each, the recogniser's probability for it.</summary>
internal sealed record RecognisedLine(string Text, float[] CharacterProbabilities)
{
    public static RecognisedLine Empty { get; } = new("", []);
}

/// <summary>
/// Greedy CTC decoding of a recogniser's [T, classes] softmax: the most likely class per step, repeats merged, blanks dropped.
/// A character's probability is the highest its class reached over the steps it was emitted on.
/// </summary>
internal sealed class CtcGreedyDecoder
{
    private readonly string[] _characters;

    /// <param name="dictionary">The characters of classes 1..n (class 0 is the CTC blank; class n+1, when the model has it, a space).</param>
    public CtcGreedyDecoder(IReadOnlyList<string> dictionary)
    {
        _characters = new string[dictionary.Count + 2];
        _characters[0] = "";
        for (int i = 0; i < dictionary.Count; i++) _characters[i + 1] = dictionary[i];
        _characters[^1] = " ";
    }

    /// <summary>Classes the recogniser's output must have: blank, the dictionary, space.</summary>
    public int ClassCount => _characters.Length;

    public RecognisedLine Decode(ReadOnlySpan<float> probabilities, int steps)
    {
        if (probabilities.Length != steps * ClassCount)
            throw new ArgumentException($"expected {steps} x {ClassCount} probabilities, got {probabilities.Length}", nameof(probabilities));
        var text = new System.Text.StringBuilder();
        var probs = new List<float>();
        int previous = 0;
        for (int t = 0; t < steps; t++)
        {
            var row = probabilities.Slice(t * ClassCount, ClassCount);
            int best = 0;
            float bestP = row[0];
            for (int c = 1; c < row.Length; c++)
            {
                if (row[c] > bestP) { bestP = row[c]; best = c; }
            }
            if (best != 0 && best == previous)
            {
                probs[^1] = Math.Max(probs[^1], bestP);
            }
            else if (best != 0)
            {
                // Dictionary entries are single characters; keep the per-character alignment even if one were not.
                foreach (char ch in _characters[best])
                {
                    text.Append(ch);
                    probs.Add(bestP);
                }
            }
            previous = best;
        }
        return new RecognisedLine(text.ToString(), probs.ToArray());
    }
}
