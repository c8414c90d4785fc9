using Vision.Models;
using Vision.Rules;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;
using Vision.Rules.Schedules;
using Vision.Pipeline.Detect;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// One camera's tracker and rules over a frame's detections and how each looks: no pixels, no evidence. The
/// <see cref="CameraAnalyzer"/> of replay and live wraps it; <c>vision tune</c> drives it from recorded detections,
/// so both give the same episodes for the same detections. Not thread-safe: frames in order.
/// </summary>
internal sealed class CameraTracking
{
    private readonly FrameClock _clock;
    private readonly IReadOnlyList<string> _classNames;
    private ObjectTracker _tracker;
    private CameraRuleEvaluator _rules;
    private TrackedObject[] _objects = new TrackedObject[64];

    public CameraTracking(CameraConfig camera, TrackerConfig tracker, IReadOnlyDictionary<string, Schedule> schedules,
        IReadOnlyList<string> classNames, DateTimeOffset start, bool plateTurnover = false)
    {
        _classNames = NewObjectClass.AppendTo(classNames);
        _clock = new FrameClock(start);
        _tracker = new ObjectTracker(TrackerFor(camera, tracker), _classNames.Count, _clock);
        _rules = new CameraRuleEvaluator(camera, schedules, _classNames, _clock, plateTurnover: plateTurnover);
    }

    public CameraConfig Camera => _rules.Camera;

    /// <summary>The camera's rules as they stand after the latest frame (read-only use: open episodes for a trace video).</summary>
    internal CameraRuleEvaluator Rules => _rules;

    /// <summary>Live tracks after the latest frame.</summary>
    public IReadOnlyList<Track> Tracks => _tracker.Tracks;

    /// <summary>The detector's classes, then <see cref="NewObjectClass.Name"/>.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>
    /// New zones, rules, schedules or tracker settings, applied at once: the clock, tracks (when the tracker settings are
    /// unchanged), open episodes and reported spots are kept, so an edit re-raises nothing already reported.
    /// </summary>
    public void Reconfigure(CameraConfig camera, TrackerConfig tracker, IReadOnlyDictionary<string, Schedule> schedules)
    {
        var trackerConfig = TrackerFor(camera, tracker);
        if (trackerConfig != _tracker.Config)
            _tracker = new ObjectTracker(trackerConfig, _classNames.Count, _clock, firstTrackId: _tracker.NextTrackId);
        _rules = new CameraRuleEvaluator(camera, schedules, _classNames, _clock, previous: _rules, plateTurnover: _rules.PlateTurnover);
    }

    /// <summary>Whether an episode is still open under one of the rules.</summary>
    public bool IsEpisodeOpen(long episodeId) => _rules.IsEpisodeOpen(episodeId);

    /// <summary>
    /// Tracks and rules for one frame at <paramref name="at"/>; appends what happened to <paramref name="events"/>. False, and
    /// nothing done, for a frame older than one already analysed (time never runs backwards for the rules).
    /// </summary>
    public bool Analyse(DateTimeOffset at, int frameWidth, int frameHeight, ReadOnlySpan<Detection> detections, ReadOnlySpan<Appearance> looks, List<EpisodeEvent> events)
    {
        if (!_clock.TrySet(at)) return false;
        _tracker.Update(detections, looks);

        var tracks = _tracker.Tracks;
        if (_objects.Length < tracks.Count) _objects = new TrackedObject[tracks.Count * 2];
        for (int i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            _objects[i] = new TrackedObject(t.Id, t.ClassId, t.Score, t.Box, t.Visible, t.Confirmed);
        }
        _rules.Evaluate(frameWidth, frameHeight, _objects.AsSpan(0, tracks.Count), events);
        return true;
    }

    /// <summary>Tracks must start at the lowest confidence any of this camera's rules accepts, and be kept down to the lowest hold, or those objects are never tracked.</summary>
    internal static TrackerConfig TrackerFor(CameraConfig camera, TrackerConfig tracker)
    {
        float birth = tracker.HighScore, keep = tracker.LowScore;
        foreach (var rule in camera.Rules) (birth, keep) = (Math.Min(birth, rule.MinConfidence), Math.Min(keep, rule.HoldConfidence));
        return birth >= tracker.HighScore && keep >= tracker.LowScore ? tracker : tracker with { HighScore = birth, LowScore = Math.Min(keep, birth) };
    }
}
