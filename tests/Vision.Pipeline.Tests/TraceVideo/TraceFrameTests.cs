using Vision.Pipeline.Tools.TraceVideo;

namespace Vision.Pipeline.Tests.TraceVideo;

/// <summary>The copy of an analysed frame a trace video draws on.</summary>
public sealed class TraceFrameTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(37, 11)]
    [InlineData(640, 360)]
    public void An_analysed_frame_is_copied_pixel_for_pixel_as_opaque_BGRA_and_the_strip_is_left_alone(int width, int height)
    {
        var bgr = new byte[width * height * 3];
        new Random(width * 1000 + height).NextBytes(bgr);
        using var frame = new TraceFrame(width, height, stripHeight: 4);
        Array.Fill(frame.Pixels, (byte)7);

        frame.CopyPicture(bgr);

        for (int i = 0; i < width * height; i++)
        {
            var expected = (bgr[i * 3], bgr[i * 3 + 1], bgr[i * 3 + 2], (byte)255);
            var actual = (frame.Pixels[i * 4], frame.Pixels[i * 4 + 1], frame.Pixels[i * 4 + 2], frame.Pixels[i * 4 + 3]);
            if (expected != actual) Assert.Fail($"pixel {i} ({i % width}, {i / width}) is {actual}, not {expected}");
        }
        Assert.All(frame.Pixels.AsSpan(width * height * 4).ToArray(), b => Assert.Equal(7, b));
    }
}
