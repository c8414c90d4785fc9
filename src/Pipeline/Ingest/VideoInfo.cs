namespace Vision.Pipeline.Ingest;

/// <summary>What ffprobe says about a video source.</summary>
internal sealed record VideoInfo(
    string Source,
    string Codec,
    int Width,
    int Height,
    double FrameRate,
    TimeSpan Duration,
    TimeSpan StartTime,
    DateTimeOffset? CreationTime)
{
    /// <summary>Analysis frames are scaled down to at most <paramref name="maxWidth"/>, even sizes, aspect kept.</summary>
    public (int Width, int Height) AnalysisSize(int maxWidth)
    {
        int width = Math.Min(Width, maxWidth) & ~1;
        int height = (int)Math.Round((double)Height * width / Width) & ~1;
        return (Math.Max(2, width), Math.Max(2, height));
    }
}
