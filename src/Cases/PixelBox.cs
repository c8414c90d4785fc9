namespace Vision.Cases;

/// <summary>A rectangle in an image's pixels.</summary>
public sealed record PixelBox(int X, int Y, int Width, int Height);
