namespace Vision.Cases;

/// <summary>The source video's size in pixels.</summary>
public sealed record FrameSize(int Width, int Height);
