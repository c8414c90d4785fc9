using OpenCvSharp;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;
using Vision.Rules.Schedules;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Detect.NewObjects;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// Everything that is per camera after detection: tracker, rules, and the snapshots each open episode
/// keeps for its photos. Time is the frame's own time, through a <see cref="Vision.Rules.FrameClock"/>. Not thread-safe:
/// one analyser per camera, fed frames in order.
/// </summary>
internal sealed class CameraAnalyzer
{
    /// <summary>Open episodes whose snapshots are kept; beyond this the oldest unconfirmed one is dropped, so memory stays bounded.</summary>
    public const int MaxOpenEpisodes = 128;
    private const int SnapshotJpegQuality = 95;

    private readonly CameraTracking _tracking;
    private readonly NewObjectWatch _newObjects;
    private RulesEdit? _pendingEdit;
    private readonly IReadOnlyList<string> _classNames;
    private readonly int _sourceWidth, _sourceHeight;
    private readonly List<EpisodeEvent> _events = new();
    private readonly Dictionary<long, OpenEpisode> _open = new();
    private Appearance[] _looks = new Appearance[64];
    private byte[]? _frameJpeg;

    public CameraAnalyzer(CameraConfig camera, TrackerConfig tracker, IReadOnlyDictionary<string, Schedule> schedules,
        IReadOnlyList<string> classNames, DateTimeOffset start, int sourceWidth, int sourceHeight, bool plateTurnover = false)
    {
        _sourceWidth = sourceWidth;
        _sourceHeight = sourceHeight;
        _tracking = new CameraTracking(camera, tracker, schedules, classNames, start, plateTurnover);
        _classNames = _tracking.ClassNames;
        _newObjects = new NewObjectWatch(IndexOf(_classNames, NewObjectClass.Name), NewObjectOptions.For(camera.Analysis.NewObjects));
        _newObjects.Configure(camera, CameraTracking.TrackerFor(camera, tracker).HighScore);
    }

    public CameraConfig Camera => _tracking.Camera;

    /// <summary>
    /// Tools that see every analysed frame, in this order (replay's trace, trace video, tune's detection recording);
    /// empty for live cameras.
    /// </summary>
    public IAnalysedFrameObserver[] Observers { get; init; } = [];

    /// <summary>Told when new-object detection saw the camera's whole view change and learns the scene again; null: nobody.</summary>
    public ISceneChangeObserver? SceneChanges { get; init; }

    /// <summary>New-object detection's state for this camera; null while none of its rules names new objects.</summary>
    public SceneStatus? NewObjectStatus => _newObjects.Status;

    /// <summary>Episodes dropped because too many were open at once.</summary>
    public long DroppedEpisodes { get; private set; }

    /// <summary>
    /// New zones, rules, schedules or tracker settings for this camera (a config edit), applied before the next frame
    /// on the analysis thread. The camera keeps its clock, tracks, open episodes and reported spots: an edit re-raises
    /// nothing already reported, and a changed dwell applies to episodes already open.
    /// </summary>
    public void Reconfigure(CameraConfig camera, TrackerConfig tracker, IReadOnlyDictionary<string, Schedule> schedules)
    {
        if (camera.Id != Camera.Id) throw new ArgumentException($"camera '{camera.Id}' is not this analyser's camera '{Camera.Id}'", nameof(camera));
        Volatile.Write(ref _pendingEdit, new RulesEdit(camera, tracker, schedules));
    }

    private void ApplyPendingEdit()
    {
        if (Interlocked.Exchange(ref _pendingEdit, null) is not { } edit) return;
        _tracking.Reconfigure(edit.Camera, edit.Tracker, edit.Schedules);
        _newObjects.Configure(edit.Camera, CameraTracking.TrackerFor(edit.Camera, edit.Tracker).HighScore);
        // Episodes whose rule went away with the edit will never confirm: their snapshots go too.
        foreach (var id in _open.Keys.ToList())
            if (!_tracking.IsEpisodeOpen(id)) _open.Remove(id);
    }

    /// <summary>Frames skipped because they were older than a frame already analysed (time never runs backwards for the rules).</summary>
    public long LateFrames { get; private set; }

    /// <summary>
    /// Tracks, rules and episode evidence for one frame; adds each violation confirmed in it to <paramref name="confirmed"/>.
    /// False when the frame is older than the analyser's clock: it is skipped (counted in <see cref="LateFrames"/>), never thrown
    /// into the batch, where it would take the other cameras' frames with it.
    /// </summary>
    public bool Process(AnalysisFrame frame, List<ViolationCase> confirmed)
    {
        ApplyPendingEdit();
        if (_newObjects.Observe(frame) is { } viewChange) SceneChanges?.ViewChanged(Camera.Id, viewChange);
        var detections = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(frame.Detections);
        if (_looks.Length < detections.Length) _looks = new Appearance[detections.Length * 2];
        var pixels = frame.Buffer.Pixels.AsSpan();
        for (int i = 0; i < detections.Length; i++)
            _looks[i] = Appearance.Measure(pixels, frame.Buffer.Width, frame.Buffer.Height, detections[i].Box);
        var looks = _looks.AsSpan(0, detections.Length);

        _events.Clear();
        if (!_tracking.Analyse(frame.CapturedAt, frame.Buffer.Width, frame.Buffer.Height, detections, looks, _events))
        {
            LateFrames++;
            return false;
        }
        foreach (var observer in Observers) observer.Observe(Camera, frame, looks, _tracking.Tracks, _tracking.Rules, _events);
        if (_events.Count == 0) return true;

        _frameJpeg = null;
        foreach (var e in _events)
        {
            switch (e.Kind)
            {
                case EpisodeEventKind.Started:
                    EnforceCapacity();
                    _open[e.EpisodeId] = new OpenEpisode(Snapshot(frame, e));
                    break;
                case EpisodeEventKind.Midway:
                    if (_open.TryGetValue(e.EpisodeId, out var midway)) midway.Midway = Snapshot(frame, e);
                    break;
                case EpisodeEventKind.Confirmed:
                    if (_open.Remove(e.EpisodeId, out var open)) confirmed.Add(ToCase(e, open, Snapshot(frame, e), frame));
                    break;
                case EpisodeEventKind.Ended:
                    _open.Remove(e.EpisodeId);
                    break;
            }
        }
        return true;
    }

    private ViolationCase ToCase(EpisodeEvent e, OpenEpisode open, FrameSnapshot confirmation, AnalysisFrame frame)
    {
        var photos = new List<(PhotoRole, FrameSnapshot)>(3) { (PhotoRole.FirstSeen, open.FirstSeen) };
        photos.Add((PhotoRole.Midway, open.Midway ?? confirmation));
        photos.Add((PhotoRole.Confirmation, confirmation));
        var zone = Camera.FindZone(e.ZoneId) ?? Camera.Zones[0];
        string className = (uint)e.ClassId < (uint)_classNames.Count ? _classNames[e.ClassId] : e.ClassId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ViolationCase(Camera, e.Rule, zone, e.EpisodeId, e.TrackId, className, e.StartedAt, e.At, photos,
            frame.Buffer.Width, frame.Buffer.Height, _sourceWidth, _sourceHeight)
        {
            SameSpotReportedAt = e.SameSpotReportedAt,
            ReferenceJpeg = className == NewObjectClass.Name ? ReferenceJpeg() : null,
        };
    }

    private byte[]? ReferenceJpeg()
    {
        using var reference = new Mat();
        if (!_newObjects.TryCopyReference(reference)) return null;
        Cv2.ImEncode(".jpg", reference, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, SnapshotJpegQuality));
        return jpeg;
    }

    private FrameSnapshot Snapshot(AnalysisFrame frame, EpisodeEvent e)
    {
        // One JPEG per frame however many episodes need it.
        if (_frameJpeg is null)
        {
            Cv2.ImEncode(".jpg", frame.Buffer.Image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, SnapshotJpegQuality));
            _frameJpeg = jpeg;
        }
        return new FrameSnapshot(_frameJpeg, frame.CapturedAt, frame.StreamTime, e.Box, e.Score);
    }

    private void EnforceCapacity()
    {
        if (_open.Count < MaxOpenEpisodes) return;
        long oldest = long.MaxValue;
        foreach (var id in _open.Keys) oldest = Math.Min(oldest, id);
        _open.Remove(oldest);
        DroppedEpisodes++;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        throw new ArgumentException($"no class '{name}'", nameof(names));
    }

    private sealed record RulesEdit(CameraConfig Camera, TrackerConfig Tracker, IReadOnlyDictionary<string, Schedule> Schedules);

    private sealed class OpenEpisode(FrameSnapshot firstSeen)
    {
        public FrameSnapshot FirstSeen { get; } = firstSeen;
        public FrameSnapshot? Midway { get; set; }
    }
}
