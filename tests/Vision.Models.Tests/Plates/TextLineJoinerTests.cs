using OpenCvSharp;
using Vision.Models.Plates;

namespace Vision.Models.Tests.Plates;

public sealed class TextLineJoinerTests
{
    private static TextLine Line(float left, float top, float width, float height) =>
        new([new(left, top), new(left + width, top), new(left + width, top + height), new(left, top + height)], 0.9f);

    [Fact]
    public void A_plate_split_at_its_dot_is_joined_into_one_line()
    {
        // "京A" then "12345" a third of a line height to the right, as the detector splits a plate.
        var groups = TextLineJoiner.Groups([Line(110, 50, 200, 40), Line(40, 51, 60, 38)]);

        var group = Assert.Single(groups);
        Assert.Equal(40, group[0].Corners[0].X);
        var merged = TextLineJoiner.Merge(group);
        Assert.InRange(merged.Width, 269, 271);
        Assert.InRange(merged.Height, 39, 41);
    }

    [Fact]
    public void Lines_far_apart_or_on_other_rows_stay_apart()
    {
        var groups = TextLineJoiner.Groups([Line(0, 0, 100, 30), Line(200, 0, 100, 30), Line(0, 40, 100, 30), Line(105, 0, 100, 80)]);
        Assert.Equal(4, groups.Count);
    }
}
