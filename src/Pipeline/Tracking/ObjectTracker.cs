using Vision.Models;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tracking;

/// <summary>
/// Multi-object tracker for one camera at low analysis rates (0.5–5 fps). ByteTrack-style: confident
/// detections are matched first, then weak ones rescue tracks that would otherwise be lost, so a parked
/// car whose score flickers around the threshold keeps one id. No motion model: at these rates moving
/// objects jump too far to predict, and what the rules care about stands still. Tracks survive missed
/// detections for <see cref="TrackerConfig.LostTimeout"/>. Time comes from the injected clock.
/// </summary>
internal sealed class ObjectTracker
{
    private const float ScoreSmoothing = 0.3f;
    /// <summary>Overlap at which a detection of another class is taken as the same object, re-labelled.</summary>
    private const float CrossClassIoU = 0.5f;
    /// <summary>
    /// Mean colour difference (0..255 per channel) beyond which a detection is another object even where
    /// boxes overlap: white van vs dark van is ~100, the same car between frames ~5-15, partly occluded ~25.
    /// </summary>
    public const float MaxAppearanceDistance = 45f;
    /// <summary>
    /// Overlap at which two detections of different classes are one object seen twice (class-aware NMS
    /// keeps a parked car as both "car" and "truck"); only the stronger one is tracked.
    /// </summary>
    public const float DuplicateIoU = 0.7f;

    private readonly TrackerConfig _config;
    private readonly TimeProvider _clock;
    private readonly int _classCount;
    private readonly List<Track> _tracks = new();
    private readonly List<Candidate> _pairs = new();
    private bool[] _detectionUsed = new bool[64];
    private int _nextId = 1;

    /// <param name="firstTrackId">The id the first new track gets: a tracker replacing another continues its numbering, so an id already reported never names a different object.</param>
    public ObjectTracker(TrackerConfig config, int classCount, TimeProvider clock, int firstTrackId = 1)
    {
        _config = config;
        _classCount = classCount;
        _clock = clock;
        _nextId = firstTrackId;
    }

    public TrackerConfig Config => _config;

    /// <summary>The id the next new track will get.</summary>
    public int NextTrackId => _nextId;

    /// <summary>Live tracks after the latest update, visible or coasting.</summary>
    public IReadOnlyList<Track> Tracks => _tracks;

    /// <summary>Feeds one frame's detections (any score; below the low threshold they are ignored) and how each looks.</summary>
    public void Update(ReadOnlySpan<Detection> detections, ReadOnlySpan<Appearance> looks)
    {
        if (looks.Length < detections.Length) throw new ArgumentException("one appearance per detection is needed", nameof(looks));
        var now = _clock.GetUtcNow();
        if (_detectionUsed.Length < detections.Length) _detectionUsed = new bool[detections.Length * 2];
        Array.Clear(_detectionUsed, 0, detections.Length);
        MarkCrossClassDuplicates(detections);
        foreach (var track in _tracks) track.Visible = false;

        Associate(detections, looks, now, highOnly: true);
        Associate(detections, looks, now, highOnly: false);

        // Unconfirmed tracks that missed a frame were probably noise.
        for (int t = _tracks.Count - 1; t >= 0; t--)
        {
            var track = _tracks[t];
            if (!track.Visible && (!track.Confirmed || now - track.LastSeen > _config.LostTimeout))
                _tracks.RemoveAt(t);
        }

        for (int d = 0; d < detections.Length; d++)
        {
            if (_detectionUsed[d] || detections[d].Score < _config.HighScore) continue;
            var track = new Track(_nextId++, detections[d], looks[d], now, _classCount);
            track.Confirmed = _config.ConfirmHits <= 1;
            _tracks.Add(track);
        }
    }

    private void MarkCrossClassDuplicates(ReadOnlySpan<Detection> detections)
    {
        for (int a = 0; a < detections.Length; a++)
        {
            for (int b = a + 1; b < detections.Length; b++)
            {
                if (detections[a].ClassId == detections[b].ClassId) continue;
                if (detections[a].Box.IoU(detections[b].Box) < DuplicateIoU) continue;
                bool aWins = detections[a].Score > detections[b].Score || (detections[a].Score == detections[b].Score && a < b);
                _detectionUsed[aWins ? b : a] = true;
            }
        }
    }

    private void Associate(ReadOnlySpan<Detection> detections, ReadOnlySpan<Appearance> looks, DateTimeOffset now, bool highOnly)
    {
        _pairs.Clear();
        for (int t = 0; t < _tracks.Count; t++)
        {
            var track = _tracks[t];
            if (track.Visible) continue;
            for (int d = 0; d < detections.Length; d++)
            {
                if (_detectionUsed[d]) continue;
                ref readonly var det = ref detections[d];
                bool high = det.Score >= _config.HighScore;
                if (highOnly ? !high : high || det.Score < _config.LowScore) continue;
                float iou = track.Box.IoU(det.Box);
                if (iou < _config.MatchIou) continue;
                if (det.ClassId != track.ClassId && iou < CrossClassIoU) continue;
                if (track.Look.DistanceTo(looks[d]) > MaxAppearanceDistance) continue;
                _pairs.Add(new Candidate(t, d, iou + (det.ClassId == track.ClassId ? 1f : 0f)));
            }
        }

        // Greedy by overlap, same-class pairs first; ties broken by index so results are exact across runs.
        _pairs.Sort(static (a, b) =>
        {
            int c = b.Affinity.CompareTo(a.Affinity);
            if (c != 0) return c;
            c = a.Track.CompareTo(b.Track);
            return c != 0 ? c : a.Detection.CompareTo(b.Detection);
        });
        foreach (var pair in _pairs)
        {
            var track = _tracks[pair.Track];
            if (track.Visible || _detectionUsed[pair.Detection]) continue;
            _detectionUsed[pair.Detection] = true;
            track.Match(detections[pair.Detection], looks[pair.Detection], now, ScoreSmoothing);
            if (!track.Confirmed && track.Hits >= _config.ConfirmHits) track.Confirmed = true;
        }
    }

    private readonly record struct Candidate(int Track, int Detection, float Affinity);
}
