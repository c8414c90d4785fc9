using Vision.Pipeline.Tracking;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tools.Replay;

/// <summary>What <c>vision replay</c> was asked to do.</summary>
/// <param name="Start">Wall-clock time of the first frame as typed (ISO-8601); without an offset it is read in the camera's time zone.</param>
internal sealed record ReplayOptions(
    string ConfigPath,
    string Source,
    string? CameraId,
    string OutputDirectory,
    string? Start,
    double? Fps,
    string? TracePath = null)
{
    /// <summary>
    /// Photos from the scaled analysis frames instead of the source at full resolution: for measuring what full
    /// resolution costs, and for <c>vision tune</c>'s detection passes, which keep only the detections.
    /// </summary>
    public bool AnalysisFramePhotos { get; init; }

    /// <summary>An MP4 to draw every analysed frame into, with detections, tracks, zones, dwell clocks and events (<c>--trace-video</c>).</summary>
    public string? TraceVideoPath { get; init; }

    /// <summary>Called with each warning about the input (a source too small for GA/T 832 photos), before the analysis starts.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>When set, every analysed frame's detections and their looks are kept in it (<c>vision tune</c> re-runs the rules over them).</summary>
    public IAnalysedFrameObserver? Recorder { get; init; }

    /// <summary>When set, the camera as replayed: the config's camera edited (<c>vision tune</c> detects with a swept rate or tiles without writing a config).</summary>
    public Func<CameraConfig, CameraConfig>? EditCamera { get; init; }
}

/// <summary>Where a replay has got to.</summary>
internal readonly record struct ReplayProgress(long Frames, int Cases, TimeSpan StreamTime, TimeSpan Duration);

/// <summary>What a finished replay did and where its time went.</summary>
internal sealed record ReplaySummary(
    string CameraId,
    long Frames,
    int Cases,
    TimeSpan Elapsed,
    TimeSpan VideoDuration,
    double AnalysisFps,
    int FrameWidth,
    int FrameHeight,
    string CasesFile,
    Detect.StageTimings Timings)
{
    /// <summary>The wall-clock time given to the first frame (--start, else the file's creation time, else the Unix epoch): case times minus this are offsets into the video.</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>Lines ffmpeg reported as errors (damaged frames it skipped); 0 for a clean file.</summary>
    public int DecodeErrors { get; init; }

    /// <summary>Confirmed cases whose evidence the output folder refused (disk full) even after the retries; each also went to stderr.</summary>
    public IReadOnlyList<Evidence.CaseProgress> UnwrittenCases { get; init; } = [];

    /// <summary>How much of the video was actually decoded: from its start to just after the last analysed frame.</summary>
    public TimeSpan AnalysedDuration { get; init; }

    /// <summary>The trace video written (<c>--trace-video</c>); null when none was asked for.</summary>
    public string? TraceVideoPath { get; init; }

    /// <summary>Frames encoded into the trace video.</summary>
    public long TraceVideoFrames { get; init; }

    /// <summary>Why the trace video is incomplete (ffmpeg failed part-way); null when it is whole or none was asked for. The cases are unaffected.</summary>
    public string? TraceVideoError { get; init; }

    /// <summary>Why the source is taken for cut short or damaged (frames end well before its length); null for a whole file.</summary>
    public string? Truncation { get; init; }

    /// <summary>The detector's class names, by class id.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
}
