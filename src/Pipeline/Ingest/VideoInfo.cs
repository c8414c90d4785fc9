namespace Vision.Pipeline.Ingest;

/// <summary>What ffprobe says about a video source.</summary>
public sealed record VideoInfo(
    string Source,
    string Codec,
    int Width,
    int Height,
    double FrameRate,
    TimeSpan Duration,
    TimeSpan StartTime,
    DateTimeOffset? CreationTime);
