using Vision.Models;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tracking;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>One analysed frame as the tracker saw it: when, at what size, what was detected and how each detection looked.</summary>
internal sealed record RecordedFrame(DateTimeOffset CapturedAt, TimeSpan StreamTime, int Width, int Height, Detection[] Detections, Appearance[] Looks);

/// <summary>
/// Every analysed frame of one clip under one detection setting (<see cref="DetectionKey"/>): enough to run tracking
/// and rules again for any rule or tracker setting without decoding or detecting.
/// </summary>
/// <param name="Start">Wall-clock time of the clip's first frame (the replay's start).</param>
/// <param name="DetectionTime">How long the replay that recorded it took (decode, detect, track, rules, evidence).</param>
internal sealed record DetectionRecording(string Key, string Clip, DateTimeOffset Start, IReadOnlyList<string> ClassNames,
    IReadOnlyList<RecordedFrame> Frames, TimeSpan DetectionTime);

/// <summary>Collects a <see cref="DetectionRecording"/> frame by frame from the analyser of a replay.</summary>
internal sealed class DetectionRecorder : IAnalysedFrameObserver
{
    private readonly List<RecordedFrame> _frames = new();

    public void Add(DateTimeOffset capturedAt, TimeSpan streamTime, int width, int height, ReadOnlySpan<Detection> detections, ReadOnlySpan<Appearance> looks) =>
        _frames.Add(new RecordedFrame(capturedAt, streamTime, width, height, detections.ToArray(), looks[..detections.Length].ToArray()));

    void IAnalysedFrameObserver.Observe(CameraConfig camera, AnalysisFrame frame, ReadOnlySpan<Appearance> looks, IReadOnlyList<Track> tracks,
        CameraRuleEvaluator rules, List<EpisodeEvent> events) =>
        Add(frame.CapturedAt, frame.StreamTime, frame.Buffer.Width, frame.Buffer.Height, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frame.Detections), looks);

    public int Count => _frames.Count;

    public DetectionRecording Finish(string key, string clip, DateTimeOffset start, IReadOnlyList<string> classNames, TimeSpan detectionTime) =>
        new(key, clip, start, classNames, _frames.ToArray(), detectionTime);
}
