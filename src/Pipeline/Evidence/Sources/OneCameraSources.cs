using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>The same sources whatever the camera: replay's one camera and its source file.</summary>
internal sealed class OneCameraSources(IClipSource? clips, IFrameSource? frames) : IEvidenceSources
{
    public IClipSource? ClipsFor(CameraConfig camera) => clips;

    public IFrameSource? FramesFor(CameraConfig camera) => frames;
}
