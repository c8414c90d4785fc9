using Vision.Models;
using Vision.Rules.Config;
using Vision.Rules.Schedules;
using Vision.Rules.Zones;

namespace Vision.Rules.Evaluation;

/// <summary>
/// Applies one rule on one camera to the tracked objects of each frame and turns them into episodes:
/// started when an object meets every condition, confirmed after the dwell, one case per episode,
/// and no second case for the same object or spot within the cooldown.
/// </summary>
internal sealed class RuleEvaluator
{
    private const int MaxSpots = 256;
    /// <summary>
    /// An episode is confirmed only if the object was seen in at least this share of the frames since it
    /// started: evidence must show it through the dwell, and a track coasting on its last box must not
    /// inherit whatever stops at that spot later.
    /// </summary>
    public const double MinVisibleShare = 0.5;

    /// <summary>
    /// An object unseen for more than this many frames and this long was taken away (a bottle picked up,
    /// a car that left while another took its place), not merely missed by the detector: its episode ends
    /// and the clock starts again if it comes back. Flicker and brief occlusion stay within these.
    /// A started episode's object seen below min_confidence but at or above hold_confidence counts as unseen too: a real,
    /// flickering object keeps its dwell through short dips, and a long dip ends the episode as an absence would.
    /// </summary>
    public const int MaxUnseenFrames = 4;
    public static readonly TimeSpan MaxUnseenTime = TimeSpan.FromSeconds(4);

    private readonly RuleDefinition _rule;
    private readonly (string Id, ZonePolygon Polygon)[] _zones;
    private readonly Schedule? _schedule;
    private readonly bool[] _ruleClass;
    private readonly bool[] _nearClass;
    private readonly int _zoneInertia;
    private readonly Dictionary<int, TrackRuleState> _states = new();
    private readonly List<int> _gone = new();
    private readonly List<ReportedSpot> _spots = new();
    private readonly bool _plateTurnover;
    private readonly HashSet<int> _present = new();
    private readonly List<int> _away = new();

    /// <param name="plateTurnover">A reported spot's occupant under another track is left to the case path's plate check.</param>
    public RuleEvaluator(RuleDefinition rule, CameraConfig camera, Schedule? schedule, IReadOnlyList<string> classNames, int zoneInertia, bool plateTurnover = false)
    {
        _rule = rule;
        _plateTurnover = plateTurnover;
        _schedule = schedule;
        _zoneInertia = zoneInertia;
        _zones = new (string, ZonePolygon)[rule.ZoneIds.Count];
        for (int i = 0; i < rule.ZoneIds.Count; i++)
        {
            var zone = camera.FindZone(rule.ZoneIds[i])
                ?? throw new InvalidOperationException($"rule '{rule.Id}' names zone '{rule.ZoneIds[i]}' missing on camera '{camera.Id}' (config validation should have caught this)");
            _zones[i] = (zone.Id, zone.Polygon);
        }
        _ruleClass = ClassMask(rule.Classes, classNames);
        _nearClass = ClassMask(rule.NearClasses, classNames);
    }

    public RuleDefinition Rule => _rule;

    /// <summary>
    /// Takes over the tracks, open episodes and reported spots of the rule this one replaces. Episodes keep their start,
    /// so a longer dwell counts from when the object really stopped; spots keep their last occupation, so the cooldown
    /// of a case already raised goes on.
    /// </summary>
    public void InheritFrom(RuleEvaluator predecessor)
    {
        foreach (var (trackId, state) in predecessor._states) _states[trackId] = state;
        foreach (var spot in predecessor._spots) AddSpot(spot);
    }

    public bool IsEpisodeOpen(long episodeId)
    {
        foreach (var state in _states.Values)
            if (state.Episode is { } episode && episode.Id == episodeId) return true;
        return false;
    }

    /// <summary>Appends this rule's open episodes, suppressed ones (a spot already reported) left out.</summary>
    public void AppendDwellClocks(List<DwellClock> clocks)
    {
        foreach (var (trackId, state) in _states)
            if (state.Episode is { Suppressed: false } episode)
                clocks.Add(new DwellClock(episode.Id, _rule, episode.ZoneId, trackId, episode.StartedAt, episode.Confirmed));
    }

    public void Evaluate(int frameWidth, int frameHeight, ReadOnlySpan<TrackedObject> objects, DateTimeOffset now, ref long nextEpisodeId, List<EpisodeEvent> events)
    {
        bool scheduleActive = _schedule?.IsActive(now) ?? true;

        foreach (var state in _states.Values) state.SeenThisFrame = false;

        for (int i = 0; i < objects.Length; i++)
        {
            ref readonly var obj = ref objects[i];
            if ((uint)obj.ClassId >= (uint)_ruleClass.Length || !_ruleClass[obj.ClassId])
            {
                // A tracked object whose class flickers out of the rule's (a left bag seen as a backpack, then a handbag) is
                // still the same object: the frame counts as one that did not see it, within the same limits.
                if (_states.TryGetValue(obj.TrackId, out var flickering))
                {
                    flickering.SeenThisFrame = true;
                    CountUnseen(flickering, obj, now, events);
                }
                continue;
            }

            if (!_states.TryGetValue(obj.TrackId, out var state))
            {
                if (!obj.Visible) continue;
                state = new TrackRuleState();
                _states.Add(obj.TrackId, state);
            }
            state.SeenThisFrame = true;

            // A coasting object keeps its episode as it was; nothing is decided on a frame that did not see it.
            if (!obj.Visible)
            {
                CountUnseen(state, obj, now, events);
                continue;
            }
            bool holds = UpdateConditions(state, obj, objects, frameWidth, frameHeight, now, scheduleActive, out bool clockRestarted, out bool dips);
            if (dips && !clockRestarted && state.Episode is not null)
            {
                // Seen, but too faintly to count: held like a frame that missed the object, within the same limits.
                CountUnseen(state, obj, now, events);
                continue;
            }
            state.UnseenFrames = 0;
            state.LastSeenAt = now;

            if (state.Episode is not null && (!holds || clockRestarted))
            {
                EndEpisode(state, obj, now, events);
            }

            if (!holds) continue;

            if (state.Episode is null)
            {
                // Only an object that has held still for one frame interval starts an episode, so passing
                // traffic in a zone costs no snapshot and no event.
                if (!clockRestarted) StartEpisode(state, obj, now, ref nextEpisodeId, events);
                continue;
            }

            state.Episode.FramesTotal++;
            state.Episode.FramesSeen++;
            AdvanceEpisode(state, obj, now, events);
        }

        RemoveGoneTracks(now, events);
        ExpireSpots(now);
    }

    /// <summary>A frame that did not see the object (or saw it too faintly): its episode is kept until the unseen limits pass.</summary>
    private void CountUnseen(TrackRuleState state, in TrackedObject obj, DateTimeOffset now, List<EpisodeEvent> events)
    {
        state.UnseenFrames++;
        if (state.Episode is not { } episode) return;
        episode.FramesTotal++;
        if (state.UnseenFrames > MaxUnseenFrames && now - state.LastSeenAt > MaxUnseenTime)
            EndEpisode(state, obj, now, events);
    }

    private bool UpdateConditions(TrackRuleState state, in TrackedObject obj, ReadOnlySpan<TrackedObject> objects,
        int frameWidth, int frameHeight, DateTimeOffset now, bool scheduleActive, out bool clockRestarted, out bool dips)
    {
        var box = obj.Box;
        double anchorX = box.CenterX;
        double anchorY = _rule.Anchor == AnchorPoint.BottomCenter ? box.Bottom : box.CenterY;
        string? zone = null;
        double nx = anchorX / frameWidth, ny = anchorY / frameHeight;
        for (int z = 0; z < _zones.Length; z++)
        {
            if (_zones[z].Polygon.Contains(nx, ny)) { zone = _zones[z].Id; break; }
        }
        state.Zone.Update(zone, _zoneInertia);

        double size = Math.Max(box.Width, box.Height);
        clockRestarted = state.Stationary.Update(anchorX, anchorY, size, _rule.MaxMotion, now);

        bool shaped = obj.Confirmed && Math.Min(box.Width, box.Height) >= _rule.MinBoxSize * frameHeight;

        bool nearOk = true;
        if (_rule.Type == ViolationType.Litter && _rule.NearClasses.Count > 0)
        {
            // Litter counts only while unattended: someone who stays with it (its owner) restarts the clock; a passer-by does not.
            // Nor does the clock start while someone is beside it: an owner putting a bag down is with it until they walk off.
            if (StaysNear(state, obj, objects, now, visibleOnly: true, out bool anyNear)) { clockRestarted |= state.Episode is not null; nearOk = false; }
            else if (anyNear && state.Episode is null) nearOk = false;
        }
        else if (_rule.Type == ViolationType.StreetStall && _rule.NearClasses.Count > 0)
        {
            nearOk = StaysNear(state, obj, objects, now, visibleOnly: false, out _);
        }

        bool otherwise = shaped && scheduleActive && state.Zone.Inside && nearOk;
        dips = otherwise && obj.Score < _rule.MinConfidence && obj.Score >= _rule.HoldConfidence;
        return otherwise && obj.Score >= _rule.MinConfidence;
    }

    /// <summary>
    /// Whether an object of a near class has stayed close for attend_time: the gap between the boxes is at most
    /// near_distance times the nearby object's larger side. Scaling by the person (or stall object) rather than the
    /// litter keeps "near" the same physical distance close to or far from the camera. Each near object's stay is
    /// timed from the first frame it was close; a frame that sees it away ends the stay, one that misses it
    /// (coasting) does not, and <paramref name="visibleOnly"/> lets only a seen object count. <paramref name="anyNear"/>:
    /// some near-class object is close now, however briefly.
    /// </summary>
    private bool StaysNear(TrackRuleState state, in TrackedObject obj, ReadOnlySpan<TrackedObject> objects, DateTimeOffset now, bool visibleOnly, out bool anyNear)
    {
        var since = state.NearSince;
        _present.Clear();
        bool stays = false;
        anyNear = false;
        for (int j = 0; j < objects.Length; j++)
        {
            ref readonly var other = ref objects[j];
            if (other.TrackId == obj.TrackId) continue;
            if ((uint)other.ClassId >= (uint)_nearClass.Length || !_nearClass[other.ClassId]) continue;
            bool near;
            if (other.Visible)
            {
                float margin = _rule.NearDistance * Math.Max(other.Box.Width, other.Box.Height);
                var reach = new BoundingBox(other.Box.X - margin, other.Box.Y - margin, other.Box.Width + 2 * margin, other.Box.Height + 2 * margin);
                near = reach.Intersects(obj.Box);
            }
            else near = since.ContainsKey(other.TrackId);
            if (!near) continue;
            anyNear |= other.Visible || !visibleOnly;
            _present.Add(other.TrackId);
            if (!since.TryGetValue(other.TrackId, out var from)) since[other.TrackId] = from = now;
            if (now - from >= _rule.AttendTime && (other.Visible || !visibleOnly)) stays = true;
        }
        if (since.Count > _present.Count)
        {
            _away.Clear();
            foreach (var trackId in since.Keys)
                if (!_present.Contains(trackId)) _away.Add(trackId);
            foreach (var trackId in _away) since.Remove(trackId);
        }
        return stays;
    }

    private void StartEpisode(TrackRuleState state, in TrackedObject obj, DateTimeOffset now, ref long nextEpisodeId, List<EpisodeEvent> events)
    {
        var spot = FindSpot(obj.TrackId, obj.Box, now);
        bool recheck = spot is not null && LeftToPlateCheck(spot, obj.TrackId);
        var episode = new ActiveEpisode(nextEpisodeId++, state.Zone.ZoneId ?? _zones[0].Id, now, Suppressed: spot is not null && !recheck);
        state.Episode = episode;
        if (spot is not null)
        {
            spot.LastOccupied = now;
            if (!recheck) return;
            episode.SameSpotReportedAt = spot.ReportedAt;
        }
        events.Add(Event(EpisodeEventKind.Started, episode, obj, now));
    }

    private void AdvanceEpisode(TrackRuleState state, in TrackedObject obj, DateTimeOffset now, List<EpisodeEvent> events)
    {
        var episode = state.Episode!;
        if (episode.Confirmed)
        {
            // The reported object is still here: its spot stays live whatever the cooldown (even 0).
            var own = OwnSpot(obj.TrackId) ?? FindSpot(obj.TrackId, obj.Box, now);
            if (own is null) AddSpot(new ReportedSpot(obj.TrackId, obj.Box, now) { ReportedAt = episode.SameSpotReportedAt ?? now });
            else own.LastOccupied = now;
            return;
        }
        if (episode.Suppressed)
        {
            var spot = FindSpot(obj.TrackId, obj.Box, now);
            if (spot is not null) spot.LastOccupied = now;
            // The case spot expired (nothing seen there for the cooldown): whatever is here now is a new
            // occupant, even if the tracker kept the id; the next frame starts a fresh episode.
            else state.Episode = null;
            return;
        }

        var elapsed = now - episode.StartedAt;
        if (FindSpot(obj.TrackId, obj.Box, now) is { } reported)
        {
            // Another track already raised a case for this spot (the same object seen twice, or under a new id) —
            // or, where plates decide, perhaps another vehicle took the place: the plate check tells.
            reported.LastOccupied = now;
            if (LeftToPlateCheck(reported, obj.TrackId))
            {
                episode.SameSpotReportedAt ??= reported.ReportedAt;
            }
            else
            {
                episode.Suppressed = true;
                events.Add(Event(EpisodeEventKind.Ended, episode, obj, now));
                return;
            }
        }

        if (!episode.MidwayReported && elapsed >= _rule.Dwell / 2)
        {
            episode.MidwayReported = true;
            events.Add(Event(EpisodeEventKind.Midway, episode, obj, now));
        }
        if (elapsed < _rule.Dwell) return;
        if (episode.FramesSeen < MinVisibleShare * episode.FramesTotal) return;

        episode.Confirmed = true;
        events.Add(Event(EpisodeEventKind.Confirmed, episode, obj, now));
        AddSpot(new ReportedSpot(obj.TrackId, obj.Box, now) { ReportedAt = episode.SameSpotReportedAt ?? now });
    }

    private void EndEpisode(TrackRuleState state, in TrackedObject obj, DateTimeOffset now, List<EpisodeEvent> events)
    {
        var episode = state.Episode!;
        state.Episode = null;
        if (!episode.Suppressed)
            events.Add(Event(EpisodeEventKind.Ended, episode, obj, now));
    }

    private void RemoveGoneTracks(DateTimeOffset now, List<EpisodeEvent> events)
    {
        _gone.Clear();
        foreach (var (trackId, state) in _states)
            if (!state.SeenThisFrame) _gone.Add(trackId);
        foreach (var trackId in _gone)
        {
            var state = _states[trackId];
            if (state.Episode is { Suppressed: false } episode)
                events.Add(new EpisodeEvent(EpisodeEventKind.Ended, episode.Id, _rule, episode.ZoneId, trackId, -1, 0f, default, episode.StartedAt, now, episode.Confirmed));
            _states.Remove(trackId);
        }
    }

    /// <summary>With plates deciding turnover, a spot reported under another track may hold another vehicle now.</summary>
    private bool LeftToPlateCheck(ReportedSpot spot, int trackId) => _plateTurnover && spot.TrackId != trackId;

    private ReportedSpot? OwnSpot(int trackId)
    {
        foreach (var spot in _spots)
            if (spot.TrackId == trackId) return spot;
        return null;
    }

    private ReportedSpot? FindSpot(int trackId, in BoundingBox box, DateTimeOffset now)
    {
        foreach (var spot in _spots)
        {
            if (now - spot.LastOccupied > _rule.Cooldown) continue;
            if (spot.Covers(trackId, box)) return spot;
        }
        return null;
    }

    private void AddSpot(ReportedSpot spot)
    {
        if (_spots.Count >= MaxSpots) _spots.RemoveAt(0);
        _spots.Add(spot);
    }

    private void ExpireSpots(DateTimeOffset now)
    {
        for (int i = _spots.Count - 1; i >= 0; i--)
            if (now - _spots[i].LastOccupied > _rule.Cooldown) _spots.RemoveAt(i);
    }

    private EpisodeEvent Event(EpisodeEventKind kind, ActiveEpisode episode, in TrackedObject obj, DateTimeOffset now) =>
        new(kind, episode.Id, _rule, episode.ZoneId, obj.TrackId, obj.ClassId, obj.Score, obj.Box, episode.StartedAt, now, episode.Confirmed)
        {
            SameSpotReportedAt = episode.SameSpotReportedAt,
        };

    private static bool[] ClassMask(IReadOnlyList<string> names, IReadOnlyList<string> classNames)
    {
        var mask = new bool[classNames.Count];
        for (int c = 0; c < classNames.Count; c++)
        {
            foreach (var name in names)
                if (string.Equals(name, classNames[c], StringComparison.Ordinal)) { mask[c] = true; break; }
        }
        return mask;
    }

    private sealed class TrackRuleState
    {
        public ZoneMembership Zone;
        public StationaryTest Stationary;
        public ActiveEpisode? Episode;
        public bool SeenThisFrame;
        public int UnseenFrames;
        public DateTimeOffset LastSeenAt;

        /// <summary>Near-class objects close to this one now, by track id, with the time each came close.</summary>
        public readonly Dictionary<int, DateTimeOffset> NearSince = new();
    }

    private sealed class ActiveEpisode(long id, string zoneId, DateTimeOffset startedAt, bool Suppressed)
    {
        public long Id { get; } = id;
        public string ZoneId { get; } = zoneId;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public bool Suppressed { get; set; } = Suppressed;
        public int FramesSeen { get; set; } = 1;
        public int FramesTotal { get; set; } = 1;
        public bool MidwayReported { get; set; }
        public bool Confirmed { get; set; }
        public DateTimeOffset? SameSpotReportedAt { get; set; }
    }
}
