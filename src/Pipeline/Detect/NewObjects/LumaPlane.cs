using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// A grey working picture: luma of a BGR analysis frame averaged over <see cref="BlockGrid.Downscale"/> squared pixels, as
/// floats in a pinned array (so OpenCV can view it without copying). Sized once per camera.
/// </summary>
internal sealed class LumaPlane
{
    public LumaPlane(int width, int height)
    {
        Width = width;
        Height = height;
        Pixels = GC.AllocateArray<float>(width * height, pinned: true);
        _row = new float[width];
        _above = new float[width];
    }

    private readonly float[] _row, _above;

    public int Width { get; }
    public int Height { get; }
    public float[] Pixels { get; }

    public long Bytes => ((long)Pixels.Length + 2L * Width) * sizeof(float);

    /// <summary>Fills the plane from a BGR frame of <paramref name="downscale"/> times its size (ITU-R BT.601 luma, box-averaged).</summary>
    public unsafe void ReadFrom(Mat bgr, int downscale)
    {
        if (bgr.Type() != MatType.CV_8UC3 || bgr.Cols / downscale != Width || bgr.Rows / downscale != Height)
            throw new ArgumentException($"expected a BGR frame of about {Width * downscale}x{Height * downscale}, got {bgr.Type()} {bgr.Cols}x{bgr.Rows}", nameof(bgr));
        byte* data = (byte*)bgr.Data;
        long step = bgr.Step();
        float scale = 1f / (downscale * downscale);
        const float wb = 0.114f, wg = 0.587f, wr = 0.299f;
        fixed (float* plane = Pixels)
        {
            for (int y = 0; y < Height; y++)
            {
                float* output = plane + (long)y * Width;
                if (downscale == 2)
                {
                    byte* a = data + 2L * y * step, b = a + step;
                    for (int x = 0; x < Width; x++, a += 6, b += 6)
                    {
                        output[x] = scale * (wb * (a[0] + a[3] + b[0] + b[3]) + wg * (a[1] + a[4] + b[1] + b[4]) + wr * (a[2] + a[5] + b[2] + b[5]));
                    }
                    continue;
                }
                for (int x = 0; x < Width; x++)
                {
                    float sum = 0;
                    for (int dy = 0; dy < downscale; dy++)
                    {
                        byte* p = data + ((long)y * downscale + dy) * step + 3L * x * downscale;
                        for (int dx = 0; dx < downscale; dx++, p += 3) sum += wb * p[0] + wg * p[1] + wr * p[2];
                    }
                    output[x] = scale * sum;
                }
            }
        }
    }

    /// <summary>
    /// Blurs the plane in place with a 3x3 binomial kernel ([1 2 1]/4 each way; edges repeat). Gradients of the blurred
    /// picture barely change when the picture moves by half a pixel, so a pole swaying in the wind or a PTZ preset
    /// drifting by a pixel does not decorrelate fine texture; a pile of garbage is coarser than that.
    /// </summary>
    public void Smooth()
    {
        int width = Width;
        var pixels = Pixels.AsSpan();
        for (int y = 0; y < Height; y++)
        {
            var row = pixels.Slice(y * width, width);
            row.CopyTo(_row);
            for (int x = 0; x < width; x++)
                row[x] = 0.25f * (_row[Math.Max(0, x - 1)] + 2 * _row[x] + _row[Math.Min(width - 1, x + 1)]);
        }
        // Vertically, keeping the original of the row above before it is overwritten.
        pixels.Slice(0, width).CopyTo(_above);
        for (int y = 0; y < Height; y++)
        {
            var row = pixels.Slice(y * width, width);
            var below = y + 1 < Height ? pixels.Slice((y + 1) * width, width) : row;
            row.CopyTo(_row);
            for (int x = 0; x < width; x++) row[x] = 0.25f * (_above[x] + 2 * _row[x] + below[x]);
            _row.AsSpan().CopyTo(_above);
        }
    }

    public void CopyTo(LumaPlane other) => Pixels.AsSpan().CopyTo(other.Pixels);

    /// <summary>Copies the pixels of one rectangle (working pixels) from <paramref name="source"/>.</summary>
    public void CopyRect(LumaPlane source, (int X0, int Y0, int X1, int Y1) rect)
    {
        for (int y = rect.Y0; y < rect.Y1; y++)
            source.Pixels.AsSpan(y * Width + rect.X0, rect.X1 - rect.X0).CopyTo(Pixels.AsSpan(y * Width + rect.X0));
    }

    /// <summary>Moves one rectangle's pixels towards <paramref name="target"/>'s by <paramref name="weight"/> (a running average).</summary>
    public void BlendRect(LumaPlane target, (int X0, int Y0, int X1, int Y1) rect, float weight)
    {
        for (int y = rect.Y0; y < rect.Y1; y++)
        {
            var row = Pixels.AsSpan(y * Width + rect.X0, rect.X1 - rect.X0);
            var toward = target.Pixels.AsSpan(y * Width + rect.X0, rect.X1 - rect.X0);
            for (int x = 0; x < row.Length; x++) row[x] += weight * (toward[x] - row[x]);
        }
    }

    /// <summary>An OpenCV view of the plane (no copy); valid while the plane lives.</summary>
    public Mat View() => Mat.FromPixelData(Height, Width, MatType.CV_32FC1, Marshal.UnsafeAddrOfPinnedArrayElement(Pixels, 0));
}
