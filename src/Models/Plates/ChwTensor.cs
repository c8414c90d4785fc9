using OpenCvSharp;

namespace Vision.Models.Plates;

/// <summary>
/// A reusable float buffer holding one image as a [1,3,H,W] tensor: pixels normalised per channel through a lookup table,
/// the image in the top-left corner and the rest zero (PaddleOCR pads after normalising). Not thread-safe.
/// </summary>
internal sealed class ChwTensor
{
    private readonly float[] _lookup = new float[3 * 256];
    private float[] _buffer = [];

    /// <param name="mean">Per-channel mean of pixel/255, in the image's own (BGR) channel order.</param>
    /// <param name="std">Per-channel standard deviation of pixel/255, same order.</param>
    public ChwTensor(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 256; p++) _lookup[c * 256 + p] = (p / 255f - mean[c]) / std[c];
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    public Memory<float> Data => new(_buffer, 0, 3 * Width * Height);

    public long[] Shape => [1, 3, Height, Width];

    /// <summary>Writes <paramref name="bgr"/> (CV_8UC3, at most <paramref name="width"/> × <paramref name="height"/>) into a tensor of that size.</summary>
    public unsafe void Write(Mat bgr, int width, int height)
    {
        if (bgr.Type() != MatType.CV_8UC3 || bgr.Cols > width || bgr.Rows > height)
            throw new ArgumentException($"expected a CV_8UC3 image of at most {width}x{height}, got {bgr.Type()} {bgr.Cols}x{bgr.Rows}", nameof(bgr));
        Width = width;
        Height = height;
        int length = 3 * width * height;
        if (_buffer.Length < length) _buffer = new float[length];
        var tensor = _buffer.AsSpan(0, length);
        tensor.Clear();
        int plane = width * height, cols = bgr.Cols, rows = bgr.Rows;
        long step = bgr.Step();
        byte* data = (byte*)bgr.Data;
        fixed (float* output = tensor)
        fixed (float* lookup = _lookup)
        {
            for (int y = 0; y < rows; y++)
            {
                byte* pixel = data + y * step;
                float* row0 = output + (long)y * width, row1 = row0 + plane, row2 = row1 + plane;
                for (int x = 0; x < cols; x++, pixel += 3)
                {
                    row0[x] = lookup[pixel[0]];
                    row1[x] = lookup[256 + pixel[1]];
                    row2[x] = lookup[512 + pixel[2]];
                }
            }
        }
    }
}
