using Vision.Models;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// A cheap look of an object: mean colour of each quarter of its box (2×2 grid × BGR). Enough to tell a
/// white van from the dark van that takes its place at the same spot, which box overlap alone cannot;
/// tolerant of the small shifts and partial occlusions a parked car sees.
/// </summary>
internal struct Appearance
{
    public const int Length = 12;
    private const int MaxSamplesPerSide = 16;

    private InlineValues _values;

    public readonly float this[int index] => _values[index];

    /// <summary>Mean absolute difference per channel, 0..255.</summary>
    public readonly float DistanceTo(in Appearance other)
    {
        float sum = 0;
        for (int i = 0; i < Length; i++) sum += MathF.Abs(_values[i] - other._values[i]);
        return sum / Length;
    }

    /// <summary>Moves this look towards <paramref name="other"/> (lighting drifts over a day).</summary>
    public void Blend(in Appearance other, float weight)
    {
        for (int i = 0; i < Length; i++) _values[i] += (other._values[i] - _values[i]) * weight;
    }

    /// <summary>A look from its <see cref="Length"/> values, as read back from a recording.</summary>
    public static Appearance FromValues(ReadOnlySpan<float> values)
    {
        if (values.Length != Length) throw new ArgumentException($"an appearance has {Length} values, not {values.Length}", nameof(values));
        var result = new Appearance();
        for (int i = 0; i < Length; i++) result._values[i] = values[i];
        return result;
    }

    /// <summary>Measures the box on a packed BGR image, sampling at most 16×16 points per quarter.</summary>
    public static Appearance Measure(ReadOnlySpan<byte> bgr, int width, int height, in BoundingBox box)
    {
        var result = new Appearance();
        int x0 = Math.Clamp((int)box.X, 0, width - 1), y0 = Math.Clamp((int)box.Y, 0, height - 1);
        int x1 = Math.Clamp((int)box.Right, x0 + 1, width), y1 = Math.Clamp((int)box.Bottom, y0 + 1, height);
        int midX = (x0 + x1) / 2, midY = (y0 + y1) / 2;
        for (int cell = 0; cell < 4; cell++)
        {
            int cx0 = (cell & 1) == 0 ? x0 : midX, cx1 = (cell & 1) == 0 ? Math.Max(midX, x0 + 1) : x1;
            int cy0 = (cell & 2) == 0 ? y0 : midY, cy1 = (cell & 2) == 0 ? Math.Max(midY, y0 + 1) : y1;
            int stepX = Math.Max(1, (cx1 - cx0 + MaxSamplesPerSide - 1) / MaxSamplesPerSide), stepY = Math.Max(1, (cy1 - cy0 + MaxSamplesPerSide - 1) / MaxSamplesPerSide);
            long b = 0, g = 0, r = 0, n = 0;
            for (int y = cy0; y < cy1; y += stepY)
            {
                int row = y * width * 3;
                for (int x = cx0; x < cx1; x += stepX)
                {
                    int p = row + x * 3;
                    b += bgr[p]; g += bgr[p + 1]; r += bgr[p + 2]; n++;
                }
            }
            if (n == 0) n = 1;
            result._values[cell * 3] = (float)b / n;
            result._values[cell * 3 + 1] = (float)g / n;
            result._values[cell * 3 + 2] = (float)r / n;
        }
        return result;
    }

    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct InlineValues
    {
        private float _element;
    }
}
