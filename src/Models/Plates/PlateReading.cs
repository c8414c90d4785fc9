namespace Vision.Models.Plates;

/// <summary>An axis-aligned box in pixels of the image the reader was given.</summary>
public sealed record PlateBox(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;

    /// <summary>Intersection over union with another box; 0 when they do not touch.</summary>
    public double Iou(PlateBox other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        int h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0) return 0;
        double inter = (double)w * h;
        return inter / ((double)Width * Height + (double)other.Width * other.Height - inter);
    }
}

/// <summary>
/// One text line read as a plate: <see cref="Text"/> is a validated, normalised plate (e.g. 京A12345) or null, and then
/// <see cref="Reason"/> says why (no text found, text is not a plate, low confidence).
/// </summary>
/// <param name="Confidence">Mean per-character probability of the recognised line (0 when nothing was read).</param>
/// <param name="RawText">What the recogniser read, before normalisation (empty when nothing was read).</param>
public sealed record PlateReading(string? Text, double Confidence, PlateBox Box, string RawText, string? Reason)
{
    /// <summary>The probability of the least certain character kept in the plate; a reading is refused when it is low.</summary>
    public double WeakestCharacter { get; init; }
}

/// <summary>The plate of an episode, voted over the readings of its frames; null <see cref="Text"/> with a reason when they disagree or none is legible.</summary>
public sealed record PlateVerdict(string? Text, double Confidence, PlateReading? Best, IReadOnlyList<PlateReading> Readings, string? Reason);
