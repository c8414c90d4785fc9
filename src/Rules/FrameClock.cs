namespace Vision.Rules;

/// <summary>
/// A clock that reads the time of the frame being analysed. In replay the video's own timestamps are the
/// clock; live, the capture time of each frame. Whoever owns the stage sets it before each frame, so
/// trackers and rules never read the wall clock and replays are exact.
/// </summary>
public sealed class FrameClock : TimeProvider
{
    private DateTimeOffset _now;

    public FrameClock(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to the given frame time; time never runs backwards.</summary>
    public void Set(DateTimeOffset frameTime)
    {
        if (!TrySet(frameTime)) throw new ArgumentOutOfRangeException(nameof(frameTime), $"frame time {frameTime:O} is before the clock's {_now:O}");
    }

    /// <summary>Moves the clock to the given frame time; false (and the clock unchanged) for a time before the clock's.</summary>
    public bool TrySet(DateTimeOffset frameTime)
    {
        if (frameTime < _now) return false;
        _now = frameTime;
        return true;
    }
}
