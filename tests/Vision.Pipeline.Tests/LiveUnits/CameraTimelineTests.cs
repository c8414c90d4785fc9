using Microsoft.Extensions.Time.Testing;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>A live camera's analysis time against a wall clock that steps (FakeTimeProvider.AdjustTime is a system clock change).</summary>
public sealed class CameraTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _wall = new(T0);

    /// <summary>Frames every 0.5 s of stream time while the wall clock runs along with them.</summary>
    private static List<DateTimeOffset> Frames(CameraTimeline timeline, FakeTimeProvider wall, ref double streamSeconds, int count)
    {
        var times = new List<DateTimeOffset>(count);
        for (int i = 0; i < count; i++)
        {
            times.Add(timeline.Stamp(TimeSpan.FromSeconds(streamSeconds)));
            streamSeconds += 0.5;
            wall.Advance(TimeSpan.FromSeconds(0.5));
        }
        return times;
    }

    private static void AssertIncreasing(IReadOnlyList<DateTimeOffset> times)
    {
        for (int i = 1; i < times.Count; i++)
            Assert.True(times[i] > times[i - 1], $"frame {i} at {times[i]:O} is not after frame {i - 1} at {times[i - 1]:O}");
    }

    [Fact]
    public void First_frame_is_anchored_to_the_wall_clock_and_later_frames_follow_the_stream()
    {
        var timeline = new CameraTimeline(_wall);
        double stream = 3; // a connection whose first frame is 3 s into its stream

        var times = Frames(timeline, _wall, ref stream, 5);

        Assert.Equal(T0, times[0]);
        Assert.Equal(T0 + TimeSpan.FromSeconds(2), times[4]);
        Assert.Equal(0, timeline.Steps);
    }

    [Fact]
    public void Wall_clock_stepped_back_60_s_keeps_frame_times_increasing_and_counts_one_step()
    {
        var timeline = new CameraTimeline(_wall);
        var steps = new List<TimeSpan>();
        timeline.ClockStepped += steps.Add;
        double stream = 0;
        var before = Frames(timeline, _wall, ref stream, 10);

        _wall.AdjustTime(_wall.GetUtcNow() - TimeSpan.FromSeconds(60));
        var after = Frames(timeline, _wall, ref stream, 40);

        AssertIncreasing([.. before, .. after]);
        // Time goes on from the stream at its own pace: dwell and cooldowns measure true durations.
        Assert.Equal(TimeSpan.FromSeconds(0.5), after[1] - after[0]);
        var step = Assert.Single(steps);
        Assert.InRange(step.TotalSeconds, -61, -59);
        Assert.Equal(1, timeline.Steps);
    }

    [Fact]
    public void Reconnect_after_the_wall_clock_stepped_back_goes_on_after_the_last_frame()
    {
        var timeline = new CameraTimeline(_wall);
        double stream = 0;
        var first = Frames(timeline, _wall, ref stream, 4);

        _wall.AdjustTime(_wall.GetUtcNow() - TimeSpan.FromSeconds(60));
        timeline.Reconnected();
        stream = 0; // a new connection's timestamps start again
        var second = Frames(timeline, _wall, ref stream, 4);

        AssertIncreasing([.. first, .. second]);
        Assert.Equal(1, timeline.Steps);
    }

    [Fact]
    public void Wall_clock_jumping_ahead_is_followed_and_counted()
    {
        var timeline = new CameraTimeline(_wall);
        var anchors = new List<(TimeSpan From, DateTimeOffset Anchor)>();
        timeline.Anchored += (from, anchor) => anchors.Add((from, anchor));
        double stream = 0;
        Frames(timeline, _wall, ref stream, 4);

        _wall.AdjustTime(_wall.GetUtcNow() + TimeSpan.FromHours(1));
        var after = Frames(timeline, _wall, ref stream, 2);

        Assert.Equal(_wall.GetUtcNow() - TimeSpan.FromSeconds(1), after[0]);
        Assert.Equal(1, timeline.Steps);
        // The recording ring maps this connection's later segments through the new anchor.
        Assert.Equal(2, anchors.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), anchors[1].From);
    }

    [Fact]
    public void Stream_timestamps_that_jump_back_never_move_time_back()
    {
        var timeline = new CameraTimeline(_wall);
        var a = timeline.Stamp(TimeSpan.FromSeconds(10));
        _wall.Advance(TimeSpan.FromSeconds(0.5));
        var b = timeline.Stamp(TimeSpan.FromSeconds(4)); // an encoder restart inside one connection

        Assert.True(b > a);
    }

    [Fact]
    public void Small_jitter_between_stream_and_wall_clock_is_no_clock_step()
    {
        var timeline = new CameraTimeline(_wall);
        for (int i = 0; i < 20; i++)
        {
            timeline.Stamp(TimeSpan.FromSeconds(i * 0.5));
            _wall.Advance(TimeSpan.FromSeconds(i % 2 == 0 ? 0.2 : 0.9)); // bursty arrival, 1 s drift at most
        }

        Assert.Equal(0, timeline.Steps);
    }
}
