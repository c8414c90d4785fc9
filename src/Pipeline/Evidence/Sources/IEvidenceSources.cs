using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Where a camera's evidence is cut and read from: the recording ring live (<see cref="RecordingSources"/>), the source
/// file in replay (<see cref="OneCameraSources"/>).
/// </summary>
internal interface IEvidenceSources
{
    /// <summary>What the camera's clip is cut from; null: the camera has no recording.</summary>
    IClipSource? ClipsFor(CameraConfig camera);

    /// <summary>Where the camera's full-resolution photo frames come from; null: from the analysis frames.</summary>
    IFrameSource? FramesFor(CameraConfig camera);
}
