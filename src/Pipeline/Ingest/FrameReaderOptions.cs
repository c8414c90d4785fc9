using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>How ffmpeg should decode a source for analysis: which frames, at what size.</summary>
public sealed record FrameReaderOptions(
    string Source,
    int OutputWidth,
    int OutputHeight,
    double Fps,
    DecodeMode Decode);
