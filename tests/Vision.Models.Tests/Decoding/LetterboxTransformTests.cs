namespace Vision.Models.Tests.Decoding;

public sealed class LetterboxTransformTests
{
    [Fact]
    public void Wide_frame_fits_the_input_width_and_pads_below_when_top_left()
    {
        var letterbox = LetterboxTransform.Fit(640, 360, 416, 416, LetterboxAlignment.TopLeft);

        Assert.Equal(0.65f, letterbox.Scale, 6);
        Assert.Equal((416, 234, 0, 0), (letterbox.ResizedWidth, letterbox.ResizedHeight, letterbox.PadX, letterbox.PadY));
    }

    [Fact]
    public void Wide_frame_is_centred_vertically_when_center()
    {
        var letterbox = LetterboxTransform.Fit(640, 360, 416, 416, LetterboxAlignment.Center);

        Assert.Equal((416, 234, 0, 91), (letterbox.ResizedWidth, letterbox.ResizedHeight, letterbox.PadX, letterbox.PadY));
    }

    [Fact]
    public void Boxes_in_the_padding_are_clamped_to_the_frame()
    {
        var letterbox = LetterboxTransform.Fit(640, 360, 416, 416, LetterboxAlignment.TopLeft);

        var box = letterbox.ToFrame(-10f, 200f, 500f, 400f);

        Assert.Equal(0f, box.X);
        Assert.Equal(200f / 0.65f, box.Y, 3);
        Assert.Equal(640f, box.Right);
        Assert.Equal(360f, box.Bottom);
    }
}
