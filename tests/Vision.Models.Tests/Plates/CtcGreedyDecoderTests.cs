using Vision.Models.Plates;

namespace Vision.Models.Tests.Plates;

public sealed class CtcGreedyDecoderTests
{
    // Classes: 0 blank, 1 '京', 2 'A', 3 '1', 4 space.
    private static readonly CtcGreedyDecoder Decoder = new(["京", "A", "1"]);

    private static float[] Steps(params (int Class, float P)[] steps)
    {
        var probs = new float[steps.Length * Decoder.ClassCount];
        for (int t = 0; t < steps.Length; t++)
        {
            float rest = (1 - steps[t].P) / (Decoder.ClassCount - 1);
            for (int c = 0; c < Decoder.ClassCount; c++) probs[t * Decoder.ClassCount + c] = c == steps[t].Class ? steps[t].P : rest;
        }
        return probs;
    }

    [Fact]
    public void Repeats_merge_blanks_drop_and_each_character_keeps_its_best_probability()
    {
        var line = Decoder.Decode(Steps((1, 0.6f), (1, 0.9f), (0, 0.99f), (2, 0.8f), (0, 0.9f), (3, 0.7f), (0, 0.9f), (3, 0.95f)), 8);

        Assert.Equal("京A11", line.Text);
        Assert.Equal([0.9f, 0.8f, 0.7f, 0.95f], line.CharacterProbabilities);
    }

    [Fact]
    public void The_last_class_is_a_space()
    {
        var line = Decoder.Decode(Steps((2, 0.9f), (4, 0.9f), (3, 0.9f)), 3);
        Assert.Equal("A 1", line.Text);
    }

    [Fact]
    public void A_wrong_sized_output_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Decoder.Decode(new float[7], 2));
    }
}
