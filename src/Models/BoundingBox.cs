namespace Vision.Models;

/// <summary>An axis-aligned box in pixels of the analysed frame (top-left origin).</summary>
public readonly record struct BoundingBox(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;
    public float Bottom => Y + Height;
    public float CenterX => X + Width * 0.5f;
    public float CenterY => Y + Height * 0.5f;
    public float Area => Width > 0 && Height > 0 ? Width * Height : 0f;

    public static BoundingBox FromCorners(float x1, float y1, float x2, float y2) => new(x1, y1, x2 - x1, y2 - y1);

    /// <summary>Intersection over union; 0 when either box is empty.</summary>
    public float IoU(in BoundingBox other)
    {
        float ix = MathF.Max(0f, MathF.Min(Right, other.Right) - MathF.Max(X, other.X));
        float iy = MathF.Max(0f, MathF.Min(Bottom, other.Bottom) - MathF.Max(Y, other.Y));
        float inter = ix * iy;
        float union = Area + other.Area - inter;
        return union <= 0f ? 0f : inter / union;
    }

    /// <summary>The box grown by <paramref name="factor"/> times its own size on every side.</summary>
    public BoundingBox Expand(float factor) =>
        new(X - Width * factor, Y - Height * factor, Width * (1 + 2 * factor), Height * (1 + 2 * factor));

    public bool Intersects(in BoundingBox other) =>
        X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;
}
