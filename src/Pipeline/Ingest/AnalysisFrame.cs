using Vision.Models;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// One sampled, scaled frame of one camera on its way through detection, tracking and rules. Frames are
/// pooled per camera (a fixed number each, so memory per camera is fixed); the last stage releases them.
/// </summary>
internal sealed class AnalysisFrame
{
    private readonly FramePool _pool;

    internal AnalysisFrame(FramePool pool, int width, int height)
    {
        _pool = pool;
        Buffer = new FrameBuffer(width, height);
    }

    public string CameraId => _pool.CameraId;
    public long Sequence { get; internal set; }

    /// <summary>Wall-clock time of the frame: the file's timestamp plus the replay start, or the capture time live.</summary>
    public DateTimeOffset CapturedAt { get; internal set; }

    /// <summary>Position in the source from its first frame.</summary>
    public TimeSpan StreamTime { get; internal set; }

    public FrameBuffer Buffer { get; }

    /// <summary>Filled by the detection stage; reused from frame to frame.</summary>
    public List<Detection> Detections { get; } = new(64);

    public void Release() => _pool.Return(this);
}
