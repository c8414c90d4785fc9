using OpenCvSharp;

namespace Vision.Models.Tests.Preprocessing;

public sealed class LetterboxWriterTests
{
    private static ModelInputSpec Spec(ChannelOrder order, LetterboxAlignment alignment, float scale = 1f, float[]? mean = null, float[]? std = null) =>
        new("images", 4, 4, order, scale, mean ?? [0f, 0f, 0f], std ?? [1f, 1f, 1f], alignment, 114);

    [Fact]
    public void Bgr_pixels_land_in_chw_planes_and_the_rest_is_padded_top_left()
    {
        using var writer = new LetterboxWriter(Spec(ChannelOrder.Bgr, LetterboxAlignment.TopLeft));
        using var frame = new Mat(2, 4, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var tensor = new float[writer.TensorLength];

        var letterbox = writer.Write(frame, tensor);

        Assert.Equal((1f, 4, 2, 0, 0), (letterbox.Scale, letterbox.ResizedWidth, letterbox.ResizedHeight, letterbox.PadX, letterbox.PadY));
        Assert.Equal(Plane(10, rowsWithImage: [0, 1]), tensor[..16]);
        Assert.Equal(Plane(20, rowsWithImage: [0, 1]), tensor[16..32]);
        Assert.Equal(Plane(30, rowsWithImage: [0, 1]), tensor[32..]);
    }

    [Fact]
    public void Rgb_order_swaps_planes_and_center_alignment_pads_above_and_below()
    {
        using var writer = new LetterboxWriter(Spec(ChannelOrder.Rgb, LetterboxAlignment.Center));
        using var frame = new Mat(2, 4, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var tensor = new float[writer.TensorLength];

        var letterbox = writer.Write(frame, tensor);

        Assert.Equal(1, letterbox.PadY);
        Assert.Equal(Plane(30, rowsWithImage: [1, 2]), tensor[..16]);
        Assert.Equal(Plane(10, rowsWithImage: [1, 2]), tensor[32..]);
    }

    [Fact]
    public void Scale_mean_and_std_apply_to_pixels_and_padding_alike()
    {
        using var writer = new LetterboxWriter(Spec(ChannelOrder.Bgr, LetterboxAlignment.TopLeft, scale: 0.5f, mean: [1f, 2f, 3f], std: [2f, 4f, 8f]));
        // A 2x8 frame halves to 1x4 (uniform colour, so the resize is exact), rows 1..3 are padding.
        using var frame = new Mat(2, 8, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var tensor = new float[writer.TensorLength];

        writer.Write(frame, tensor);

        Assert.Equal((10 * 0.5f - 1f) / 2f, tensor[0]);
        Assert.Equal((20 * 0.5f - 2f) / 4f, tensor[16]);
        Assert.Equal((30 * 0.5f - 3f) / 8f, tensor[32]);
        Assert.Equal((114 * 0.5f - 1f) / 2f, tensor[4]);
        Assert.Equal((114 * 0.5f - 3f) / 8f, tensor[47]);
    }

    private static float[] Plane(float value, int[] rowsWithImage)
    {
        var plane = new float[16];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                plane[y * 4 + x] = rowsWithImage.Contains(y) ? value : 114f;
        return plane;
    }
}
