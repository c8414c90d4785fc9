using Vision.Pipeline.Recording;
using Vision.Rules;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class SegmentRingTests : IDisposable
{
    private const long T0 = 1_760_000_000; // Unix seconds of the first segment in each test
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vision-ring-" + Guid.NewGuid().ToString("N"));
    private readonly FrameClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(T0));

    public SegmentRingTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private SegmentRing Ring(TimeSpan keep, long maxBytes = 1L << 30) =>
        new(_dir, new RecordingConfig(_dir, TimeSpan.FromSeconds(2), keep, maxBytes, 0, true), _clock);

    private void Write(long offsetSeconds, int bytes = 100) =>
        File.WriteAllBytes(Path.Combine(_dir, $"{T0 + offsetSeconds}.ts"), new byte[bytes]);

    /// <summary>Segments every 2 s from T0 to T0+18 s of the given size, with the clock at T0+20 s.</summary>
    private void TenSegments(int bytes = 100)
    {
        for (int s = 0; s < 20; s += 2) Write(s, bytes);
        _clock.Set(DateTimeOffset.FromUnixTimeSeconds(T0 + 20));
    }

    private List<long> Remaining(SegmentRing ring) =>
        ring.Segments().Select(s => s.Start.ToUnixTimeSeconds() - T0).ToList();

    private static DateTimeOffset At(long offsetSeconds) => DateTimeOffset.FromUnixTimeSeconds(T0 + offsetSeconds);

    [Fact]
    public void Segments_are_ordered_by_start_and_each_ends_where_the_next_begins()
    {
        var ring = Ring(TimeSpan.FromMinutes(4));
        Write(4, bytes: 30);
        Write(0, bytes: 10);
        Write(2, bytes: 20);
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not a segment");
        File.WriteAllText(Path.Combine(_dir, "partial.ts"), "not named by time");
        _clock.Set(At(5));

        var segments = ring.Segments();

        Assert.Equal([At(0), At(2), At(4)], segments.Select(s => s.Start));
        Assert.Equal([At(2), At(4), At(5)], segments.Select(s => s.End));
        Assert.Equal([10L, 20L, 30L], segments.Select(s => s.Bytes));
        Assert.Equal(Path.Combine(_dir, $"{T0 + 2}.ts"), segments[1].Path);
    }

    [Fact]
    public void Empty_ring_has_no_segments()
    {
        Assert.Empty(Ring(TimeSpan.FromMinutes(4)).Segments());
    }

    [Fact]
    public void Output_pattern_names_segments_by_unix_seconds_in_the_ring_folder()
    {
        var ring = Ring(TimeSpan.FromMinutes(4));

        Assert.Equal(Path.Combine(_dir, "%s.ts"), ring.OutputPattern);
        Assert.True(Directory.Exists(_dir));
    }

    [Fact]
    public void Trim_deletes_segments_that_ended_before_the_keep_window()
    {
        TenSegments();
        var ring = Ring(keep: TimeSpan.FromSeconds(10));

        ring.Trim();

        // The window is [T0+10, T0+20]: the segment T0+8..T0+10 still touches it.
        Assert.Equal([8L, 10, 12, 14, 16, 18], Remaining(ring));
        Assert.Equal(0, ring.Overruns);
    }

    [Fact]
    public void Trim_within_both_limits_deletes_nothing()
    {
        TenSegments();
        var ring = Ring(keep: TimeSpan.FromMinutes(1), maxBytes: 1000);

        ring.Trim();

        Assert.Equal(10, ring.Segments().Count);
    }

    [Fact]
    public void Trim_deletes_the_oldest_segments_until_the_bytes_fit_the_cap()
    {
        Write(0, bytes: 400);
        Write(2, bytes: 100);
        Write(4, bytes: 100);
        Write(6, bytes: 100);
        Write(8, bytes: 100);
        _clock.Set(At(10));
        var ring = Ring(keep: TimeSpan.FromHours(1), maxBytes: 500);

        ring.Trim();

        Assert.Equal([2L, 4, 6, 8], Remaining(ring));
    }

    [Fact]
    public void Trim_never_deletes_the_newest_segment_even_when_it_alone_is_over_the_cap()
    {
        Write(0, bytes: 100);
        Write(2, bytes: 5000);
        _clock.Set(At(1000));
        var ring = Ring(keep: TimeSpan.FromSeconds(10), maxBytes: 1000);

        ring.Trim();

        Assert.Equal([2L], Remaining(ring));
    }

    [Fact]
    public void Trim_leaves_a_lone_segment_however_old()
    {
        Write(0);
        _clock.Set(At(3600));
        var ring = Ring(keep: TimeSpan.FromSeconds(10));

        ring.Trim();

        Assert.Equal([0L], Remaining(ring));
    }

    [Fact]
    public void Held_segments_outlive_the_keep_window_until_released()
    {
        TenSegments();
        var ring = Ring(keep: TimeSpan.FromSeconds(10));
        ring.Hold(At(1), At(3)); // a pending clip's pre-roll: segments T0 and T0+2

        ring.Trim();

        Assert.Equal([0L, 2, 8, 10, 12, 14, 16, 18], Remaining(ring));
        Assert.Equal(0, ring.Overruns);

        ring.Release(At(1), At(3));
        ring.Trim();

        Assert.Equal([8L, 10, 12, 14, 16, 18], Remaining(ring));
    }

    [Fact]
    public void Releasing_one_of_two_identical_holds_keeps_the_segments_held()
    {
        TenSegments();
        var ring = Ring(keep: TimeSpan.FromSeconds(10));
        ring.Hold(At(1), At(3));
        ring.Hold(At(1), At(3));

        ring.Release(At(1), At(3));
        ring.Trim();

        Assert.Equal([0L, 2, 8, 10, 12, 14, 16, 18], Remaining(ring));
    }

    [Fact]
    public void Byte_cap_deletes_a_held_segment_and_counts_an_overrun()
    {
        TenSegments(bytes: 100);
        var ring = Ring(keep: TimeSpan.FromHours(1), maxBytes: 750);
        ring.Hold(At(0), At(1));
        int reported = 0;
        ring.Overrun += () => reported++;

        ring.Trim();

        Assert.Equal([6L, 8, 10, 12, 14, 16, 18], Remaining(ring));
        Assert.Equal(1, ring.Overruns);
        Assert.Equal(1, reported);
    }

    [Fact]
    public void Free_space_check_compares_the_disk_with_min_free_bytes()
    {
        var roomy = new SegmentRing(_dir, new RecordingConfig(_dir, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(4), 1L << 30, 0, true), _clock);
        var impossible = new SegmentRing(_dir, new RecordingConfig(_dir, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(4), 1L << 30, long.MaxValue, true), _clock);

        Assert.True(roomy.HasFreeSpace());
        Assert.False(impossible.HasFreeSpace());
    }
}
