using System.Globalization;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>
/// The ring on disk as ffmpeg and the camera leave it: numbered segments, ffmpeg's csv list of complete ones, the
/// run's anchors. Files are written here the way ffmpeg writes them (measured: the list gets a line when a segment
/// is closed; a killed ffmpeg leaves its newest segment unlisted, often 0 bytes).
/// </summary>
public sealed class SegmentRingTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vision-ring-" + Guid.NewGuid().ToString("N"));

    public SegmentRingTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private SegmentRing Ring(TimeSpan? keep = null, long maxBytes = 1L << 30) =>
        new(_dir, new RecordingConfig { Directory = _dir, SegmentLength = TimeSpan.FromSeconds(2), Keep = keep ?? TimeSpan.FromMinutes(4), MaxBytesPerCamera = maxBytes, MinFreeBytes = 0 });

    private static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    /// <summary>A run as ffmpeg records it: <paramref name="complete"/> listed 2 s segments from stream time 0, anchored at <paramref name="anchor"/>.</summary>
    private RecordingRun Record(SegmentRing ring, DateTimeOffset anchor, int complete, int bytes = 100, bool anchored = true)
    {
        var run = ring.BeginRun();
        if (anchored) Assert.True(run.Anchor(TimeSpan.Zero, anchor));
        for (int i = 0; i < complete; i++) Complete(run, i, bytes);
        return run;
    }

    private void Complete(RecordingRun run, int index, int bytes = 100)
    {
        string name = SegmentName(run.FirstSequence + index);
        File.WriteAllBytes(Path.Combine(_dir, name), new byte[bytes]);
        File.AppendAllText(run.ListPath, string.Create(CultureInfo.InvariantCulture, $"{name},{index * 2.0:0.000000},{index * 2.0 + 2:0.000000}\n"));
    }

    /// <summary>The segment ffmpeg has opened but not finished: on disk, not listed.</summary>
    private string InProgress(RecordingRun run, int index, int bytes = 0)
    {
        string path = Path.Combine(_dir, SegmentName(run.FirstSequence + index));
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    private static string SegmentName(long sequence) => $"seg-{sequence:D10}.ts";

    private static List<double> Starts(SegmentRing ring) => ring.Segments().Select(s => (s.Start - T0).TotalSeconds).ToList();

    [Fact]
    public void Only_listed_segments_are_segments_and_each_spans_its_true_stream_time()
    {
        var ring = Ring();
        var run = Record(ring, T0, complete: 3, bytes: 10);
        InProgress(run, 3, bytes: 5000);

        var segments = ring.Segments();

        Assert.Equal([At(0), At(2), At(4)], segments.Select(s => s.Start));
        Assert.Equal([At(2), At(4), At(6)], segments.Select(s => s.End));
        Assert.Equal([0L, 1, 2], segments.Select(s => s.Sequence - run.FirstSequence));
        Assert.All(segments, s => Assert.Equal(run.FirstSequence, s.Run));
        Assert.Equal(Path.Combine(_dir, SegmentName(run.FirstSequence + 1)), segments[1].Path);
    }

    [Fact]
    public void A_listed_segment_that_is_empty_or_gone_is_never_used()
    {
        var ring = Ring();
        var run = Record(ring, T0, complete: 3);
        File.WriteAllBytes(Path.Combine(_dir, SegmentName(run.FirstSequence + 1)), []);
        File.Delete(Path.Combine(_dir, SegmentName(run.FirstSequence + 2)));

        Assert.Equal([0.0], Starts(ring));
    }

    [Fact]
    public void A_run_without_an_anchor_has_no_known_time_and_no_segments()
    {
        var ring = Ring();
        Record(ring, T0, complete: 2, anchored: false);

        Assert.Empty(ring.Segments());
    }

    [Fact]
    public void Empty_ring_has_no_segments()
    {
        Assert.Empty(Ring().Segments());
    }

    [Fact]
    public void Runs_are_numbered_on_from_every_file_on_disk_so_a_restart_never_overwrites_a_leftover()
    {
        var ring = Ring();
        var first = Record(ring, T0, complete: 2);
        InProgress(first, 2);

        var second = Ring().BeginRun(); // a new process: a new ring on the same folder

        Assert.Equal(first.FirstSequence + 3, second.FirstSequence);
        Assert.Contains("%010d", second.Pattern, StringComparison.Ordinal);
        Assert.StartsWith(_dir, second.ListPath, StringComparison.Ordinal);
    }

    // Issue 10: a stop left a 0-byte last segment that the next start took for the one spanning the downtime.
    [Fact]
    public void After_a_restart_the_killed_runs_unfinished_segment_is_deleted_and_its_complete_ones_keep_their_true_span()
    {
        var before = Ring(keep: TimeSpan.FromHours(1));
        var killed = Record(before, T0, complete: 2);
        string unfinished = InProgress(killed, 2, bytes: 0);

        var after = Ring(keep: TimeSpan.FromHours(1)); // the next process, 35 minutes later
        var run = Record(after, At(35 * 60), complete: 1);
        string writing = InProgress(run, 1, bytes: 0);
        after.Trim();

        Assert.False(File.Exists(unfinished));
        Assert.True(File.Exists(writing), "the segment being written is not garbage");
        var segments = after.Segments();
        Assert.Equal([At(0), At(2), At(35 * 60)], segments.Select(s => s.Start));
        Assert.Equal([At(2), At(4), At(35 * 60 + 2)], segments.Select(s => s.End));
    }

    [Fact]
    public void A_run_that_ended_leaves_its_unfinished_segment_to_be_deleted()
    {
        var ring = Ring();
        var run = Record(ring, T0, complete: 1);
        string unfinished = InProgress(run, 1);

        ring.Trim();
        Assert.True(File.Exists(unfinished));

        ring.EndRun(run);
        ring.Trim();
        Assert.False(File.Exists(unfinished));
    }

    [Fact]
    public void Segments_named_by_wall_clock_seconds_by_an_older_version_are_deleted()
    {
        string legacy = Path.Combine(_dir, "1796150869.ts");
        File.WriteAllBytes(legacy, new byte[10]);
        var ring = Ring();
        Record(ring, T0, complete: 1);

        ring.Trim();

        Assert.False(File.Exists(legacy));
        Assert.Single(ring.Segments());
    }

    [Fact]
    public void Order_is_the_sequence_not_the_time()
    {
        var ring = Ring();
        Record(ring, At(100), complete: 1);
        Record(ring, At(0), complete: 1); // a later run whose anchor is earlier

        Assert.Equal([100.0, 0.0], Starts(ring));
    }

    [Fact]
    public void Anchors_written_later_in_a_run_map_the_segments_after_them()
    {
        var ring = Ring();
        var run = Record(ring, T0, complete: 2);
        Assert.True(run.Anchor(TimeSpan.FromSeconds(4), T0 + TimeSpan.FromHours(1))); // the wall clock jumped ahead
        Complete(run, 2);

        Assert.Equal([At(0), At(2), At(3600 + 4)], ring.Segments().Select(s => s.Start));
    }

    [Fact]
    public void Trim_deletes_segments_that_ended_before_the_keep_window()
    {
        var ring = Ring(keep: TimeSpan.FromSeconds(10));
        Record(ring, T0, complete: 10);

        ring.Trim();

        // The newest ends at T0+20: the window is [T0+10, T0+20]; the segment T0+8..T0+10 still touches it.
        Assert.Equal([8.0, 10, 12, 14, 16, 18], Starts(ring));
        Assert.Equal(0, ring.Overruns);
    }

    [Fact]
    public void Trim_deletes_the_oldest_segments_until_the_bytes_fit_the_cap()
    {
        var ring = Ring(keep: TimeSpan.FromHours(1), maxBytes: 500);
        var run = Record(ring, T0, complete: 1, bytes: 400);
        for (int i = 1; i < 5; i++) Complete(run, i, bytes: 100);

        ring.Trim();

        Assert.Equal([2.0, 4, 6, 8], Starts(ring));
    }

    [Fact]
    public void Trim_never_deletes_the_newest_segment_even_when_it_alone_is_over_the_cap()
    {
        var ring = Ring(keep: TimeSpan.FromSeconds(10), maxBytes: 1000);
        var run = Record(ring, T0, complete: 1, bytes: 100);
        Complete(run, 1, bytes: 5000);

        ring.Trim();

        Assert.Equal([2.0], Starts(ring));
    }

    [Fact]
    public void Held_segments_outlive_the_keep_window_until_released()
    {
        var ring = Ring(keep: TimeSpan.FromSeconds(10));
        Record(ring, T0, complete: 10);
        ring.Hold(At(1), At(3)); // a pending clip's pre-roll: segments T0 and T0+2

        ring.Trim();

        Assert.Equal([0.0, 2, 8, 10, 12, 14, 16, 18], Starts(ring));
        Assert.Equal(0, ring.Overruns);

        ring.Release(At(1), At(3));
        ring.Trim();

        Assert.Equal([8.0, 10, 12, 14, 16, 18], Starts(ring));
    }

    [Fact]
    public void Byte_cap_deletes_a_held_segment_and_counts_an_overrun()
    {
        var ring = Ring(keep: TimeSpan.FromHours(1), maxBytes: 750);
        Record(ring, T0, complete: 10, bytes: 100);
        ring.Hold(At(0), At(1));
        int reported = 0;
        ring.Overrun += () => reported++;

        ring.Trim();

        Assert.Equal([6.0, 8, 10, 12, 14, 16, 18], Starts(ring));
        Assert.Equal(1, ring.Overruns);
        Assert.Equal(1, reported);
    }

    [Fact]
    public void Lists_and_anchors_of_runs_with_nothing_left_are_deleted()
    {
        var ring = Ring(keep: TimeSpan.FromSeconds(2));
        var old = Record(ring, T0, complete: 2);
        ring.EndRun(old);
        Record(ring, At(60), complete: 2);

        ring.Trim();

        Assert.False(File.Exists(old.ListPath));
        Assert.False(File.Exists(old.AnchorPath));
        Assert.Equal([60.0, 62], Starts(ring));
    }

    [Fact]
    public void Free_space_check_compares_the_disk_with_min_free_bytes()
    {
        var roomy = new SegmentRing(_dir, new RecordingConfig { Directory = _dir, SegmentLength = TimeSpan.FromSeconds(2), Keep = TimeSpan.FromMinutes(4), MaxBytesPerCamera = 1L << 30, MinFreeBytes = 0 });
        var impossible = new SegmentRing(_dir, new RecordingConfig { Directory = _dir, SegmentLength = TimeSpan.FromSeconds(2), Keep = TimeSpan.FromMinutes(4), MaxBytesPerCamera = 1L << 30, MinFreeBytes = long.MaxValue });

        Assert.True(roomy.HasFreeSpace());
        Assert.False(impossible.HasFreeSpace());
    }

    [Fact]
    public void A_clip_never_splices_two_runs_and_takes_the_run_that_holds_its_end()
    {
        var ring = Ring();
        var first = Record(ring, T0, complete: 3);
        ring.EndRun(first);
        Record(ring, At(100), complete: 3); // after a 94 s gap (restart, reconnect)

        var clip = RingClipSource.Contiguous(ring.Segments(), At(2), At(103));

        Assert.Equal([At(100), At(102)], clip.Select(s => s.Start));
    }

    [Fact]
    public void A_clip_within_one_run_takes_every_segment_that_covers_it()
    {
        var ring = Ring();
        Record(ring, T0, complete: 6);

        var clip = RingClipSource.Contiguous(ring.Segments(), At(3), At(7));

        Assert.Equal([At(2), At(4), At(6)], clip.Select(s => s.Start));
    }
}
