namespace Vision.Pipeline.Detect;

/// <summary>
/// Whether a camera's frame may be analysed now. In a cluster it is the camera's lease, still this node's by its own
/// clock: a frame that may not be analysed is dropped before detection, so a node whose renewals run late never
/// analyses a camera another node may already have taken.
/// </summary>
internal interface IAnalysisGate
{
    bool MayAnalyse(string cameraId);
}
