using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>A live camera's evidence sources: its clip and its full-resolution photo frames, both read from its recording ring.</summary>
internal sealed class RecordingSources(IRecordings recordings, TimeProvider clock, ChildProcesses children) : IEvidenceSources
{
    public IClipSource? ClipsFor(CameraConfig camera) => recordings.RingOf(camera.Id) is { } ring ? new RingClipSource(ring, clock, children) : null;

    public IFrameSource? FramesFor(CameraConfig camera) => recordings.RingOf(camera.Id) is { } ring ? new RingFrameSource(ring, children) : null;
}
