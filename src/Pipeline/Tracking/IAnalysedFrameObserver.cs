using Vision.Pipeline.Ingest;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// A tool that sees every analysed frame after tracking and rules (the JSON trace, the trace video, the detection
/// recording <c>vision tune</c> re-runs). Called on the analysis thread before the frame is released: read, never keep.
/// </summary>
internal interface IAnalysedFrameObserver
{
    void Observe(CameraConfig camera, AnalysisFrame frame, ReadOnlySpan<Appearance> looks, IReadOnlyList<Track> tracks,
        CameraRuleEvaluator rules, List<EpisodeEvent> events);
}
