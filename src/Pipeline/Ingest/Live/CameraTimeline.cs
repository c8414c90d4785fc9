namespace Vision.Pipeline.Ingest;

/// <summary>
/// One live camera's analysis time: the stream's own timestamps, anchored to the wall clock when a
/// connection delivers its first frame. It never runs backwards, across frames or reconnects: the
/// tracker, the rules and the recording ring all need a monotonic clock, and the wall clock is not
/// one (NTP steps, a hand-set clock). A wall clock that jumps ahead is followed (the anchor moves
/// forward); one that steps back is not (time goes on from the stream) until it has caught up.
/// Each step beyond <see cref="StepTolerance"/> is counted. Used by the camera's ingest loop only.
/// </summary>
internal sealed class CameraTimeline(TimeProvider clock)
{
    /// <summary>Drift between stream time and the wall clock that counts as a clock step (network jitter stays well below).</summary>
    public static readonly TimeSpan StepTolerance = TimeSpan.FromSeconds(2);

    // The smallest step that keeps successive frame times strictly increasing.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private DateTimeOffset _anchor;
    private bool _anchored;
    private bool _wallBehind;
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    /// <summary>Raised once per clock step with its size (positive: the wall clock jumped ahead of the stream; negative: it fell behind).</summary>
    public event Action<TimeSpan>? ClockStepped;

    /// <summary>Raised when frames from this stream time on map to camera time through a new anchor (the ring maps its segments the same way).</summary>
    public event Action<TimeSpan, DateTimeOffset>? Anchored;

    /// <summary>Clock steps seen so far.</summary>
    public long Steps { get; private set; }

    /// <summary>The time given to the last frame; <see cref="DateTimeOffset.MinValue"/> before the first.</summary>
    public DateTimeOffset Last => _last;

    /// <summary>A new connection: its stream timestamps start again, so the next frame sets a new anchor.</summary>
    public void Reconnected() => _anchored = false;

    /// <summary>The analysis time of a frame at <paramref name="streamTime"/> of the current connection.</summary>
    public DateTimeOffset Stamp(TimeSpan streamTime)
    {
        var wall = clock.GetUtcNow();
        if (!_anchored)
        {
            _anchored = true;
            _wallBehind = false;
            var anchor = wall - streamTime;
            // The wall clock stepped back while the camera was away: go on from the last frame instead.
            if (anchor + streamTime <= _last)
            {
                Step(wall - _last);
                _wallBehind = true;
                anchor = _last + Tick - streamTime;
            }
            SetAnchor(anchor, streamTime);
        }
        else
        {
            var drift = wall - (_anchor + streamTime);
            if (drift > StepTolerance)
            {
                Step(drift);
                _wallBehind = false;
                SetAnchor(_anchor + drift, streamTime);
            }
            else if (drift < -StepTolerance)
            {
                if (!_wallBehind) Step(drift); // counted once, not once per frame while it catches up
                _wallBehind = true;
            }
            else
            {
                _wallBehind = false;
            }
        }

        var time = _anchor + streamTime;
        // Stream timestamps that repeat or jump back (a camera's encoder restart) must not move time back either.
        if (time <= _last)
        {
            time = _last + Tick;
            SetAnchor(time - streamTime, streamTime);
        }
        _last = time;
        return time;
    }

    private void SetAnchor(DateTimeOffset anchor, TimeSpan fromStreamTime)
    {
        _anchor = anchor;
        Anchored?.Invoke(fromStreamTime, anchor);
    }

    private void Step(TimeSpan size)
    {
        Steps++;
        ClockStepped?.Invoke(size);
    }
}
