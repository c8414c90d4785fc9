using OpenCvSharp;

namespace Vision.Pipeline.Tests.NewObjects;

/// <summary>Light that changes over a street frame: the whole picture dimmed by a gain, and a cloud's soft-edged shadow lying across it.</summary>
internal static class SceneLight
{
    /// <summary>How much light the cloud's shadow takes away at its core.</summary>
    public const float ShadowDepth = 0.45f;

    /// <summary>The shadow's core width and the width of each soft edge, in pixels across the band.</summary>
    public const float ShadowCore = 120, ShadowEdge = 60;

    /// <summary>
    /// Multiplies <paramref name="frame"/> (BGR, 8 bits, in place) by <paramref name="gain"/>, and darkens a diagonal band
    /// whose centre line crosses the top edge at x = <paramref name="shadowAt"/> (wrapping around the frame's width plus the band).
    /// </summary>
    public static void Apply(Mat frame, double gain, float shadowAt, float depth = ShadowDepth)
    {
        int width = frame.Cols, height = frame.Rows;
        float span = width + height * 0.6f + 2 * (ShadowCore + 2 * ShadowEdge);
        float centre = shadowAt % span - (ShadowCore / 2 + 2 * ShadowEdge);
        var pixels = new byte[width * height * 3];
        System.Runtime.InteropServices.Marshal.Copy(frame.Data, pixels, 0, pixels.Length);
        for (int y = 0; y < height; y++)
        {
            var row = pixels.AsSpan(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                // The band leans: its distance runs along x + 0.6 y.
                float distance = MathF.Abs(x + 0.6f * y - centre) - ShadowCore / 2;
                float shade = distance <= 0 ? 1 : distance >= ShadowEdge ? 0 : 0.5f * (1 + MathF.Cos(MathF.PI * distance / ShadowEdge));
                float factor = (float)gain * (1 - depth * shade);
                for (int c = 0; c < 3; c++) row[3 * x + c] = (byte)Math.Min(255, (int)(row[3 * x + c] * factor + 0.5f));
            }
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, frame.Data, pixels.Length);
    }
}
