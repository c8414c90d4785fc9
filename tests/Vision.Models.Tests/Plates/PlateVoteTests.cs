using Vision.Models.Plates;

namespace Vision.Models.Tests.Plates;

public sealed class PlateVoteTests
{
    private static readonly PlateBox Box = new(10, 20, 120, 36);

    private static PlateReading Read(string? text, double confidence, string? reason = null) =>
        new(text, confidence, Box, text ?? "???", text is null ? reason ?? "low confidence: x" : null);

    [Fact]
    public void The_plate_most_readings_agree_on_wins()
    {
        var verdict = PlateVote.Vote([Read("京A12345", 0.95), Read("京A12345", 0.93), Read(null, 0.5), Read("京A12845", 0.9), Read("京A12345", 0.97)]);

        Assert.Equal("京A12345", verdict.Text);
        Assert.Null(verdict.Reason);
        Assert.Equal(0.97, verdict.Best!.Confidence);
        Assert.Equal(5, verdict.Readings.Count);
        Assert.InRange(verdict.Confidence, 0.6, 0.97);
    }

    [Fact]
    public void Readings_that_disagree_give_no_plate_and_say_so()
    {
        var verdict = PlateVote.Vote([Read("京A12345", 0.95), Read("京A12845", 0.94)]);

        Assert.Null(verdict.Text);
        Assert.Null(verdict.Best);
        Assert.Contains("disagree", verdict.Reason);
        Assert.Contains("京A12345", verdict.Reason);
        Assert.Contains("京A12845", verdict.Reason);
    }

    [Fact]
    public void No_valid_reading_gives_no_plate_with_the_commonest_reason()
    {
        var verdict = PlateVote.Vote([Read(null, 0.4, "low confidence: '京A1234' at 0.4"), Read(null, 0.3, "low confidence: other"), Read(null, 0, "no text found")]);

        Assert.Null(verdict.Text);
        Assert.Contains("no legible plate in 3 reading(s)", verdict.Reason);
        Assert.Contains("low confidence", verdict.Reason);
    }

    [Fact]
    public void No_readings_give_no_plate()
    {
        var verdict = PlateVote.Vote([]);
        Assert.Null(verdict.Text);
        Assert.NotNull(verdict.Reason);
    }

    [Fact]
    public void One_valid_reading_among_illegible_ones_is_the_plate()
    {
        var verdict = PlateVote.Vote([Read(null, 0.4), Read("粤BD12345", 0.92)]);
        Assert.Equal("粤BD12345", verdict.Text);
    }
}
