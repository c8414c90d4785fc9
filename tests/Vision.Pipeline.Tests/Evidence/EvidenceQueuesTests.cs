using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Evidence;

/// <summary>The two queues between a confirmed violation and its finished case: the post-roll wait and the full-disk backlog.</summary>
public sealed class EvidenceQueuesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));

    private static readonly CameraConfig Camera = VisionConfigLoader.Parse("""
        detector: { model: yolox_nano }
        cameras:
          - id: cam-01
            source: rtsp://127.0.0.1:8554/cam-01
            zones: [ { id: kerb, polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]] } ]
            rules: [ { id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 5s } ]
        """, "test.yaml").Cameras[0];

    private static CaseProgress Case(int trackId, int jpegBytes = 1000)
    {
        var photos = new List<(PhotoRole, FrameSnapshot)>();
        foreach (var role in new[] { PhotoRole.FirstSeen, PhotoRole.Midway, PhotoRole.Confirmation })
            photos.Add((role, new FrameSnapshot(new byte[jpegBytes], T0, TimeSpan.Zero, new BoundingBox(10, 10, 50, 40), 0.8f)));
        return new CaseProgress(new ViolationCase(Camera, Camera.Rules[0], Camera.Zones[0], trackId, trackId, "car", T0, T0.AddSeconds(5), photos, 1280, 720, 1280, 720));
    }

    [Fact]
    public async Task Post_roll_queue_hands_out_cases_in_due_order_and_holds_back_those_not_due()
    {
        var queue = new PostRollQueue(TimeProvider.System);
        var later = Case(1);
        var now = Case(2);
        queue.Add(later, DateTimeOffset.UtcNow.AddHours(1));
        queue.Add(now, DateTimeOffset.UtcNow);

        Assert.Same(now, await queue.NextAsync(() => true, () => false).WaitAsync(TimeSpan.FromSeconds(10)));
        var waiting = queue.NextAsync(() => true, () => false);
        await Task.Delay(300); // on purpose: a case due in an hour is not handed out within this time
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Post_roll_queue_hands_everything_out_at_once_when_hurried_then_ends()
    {
        var queue = new PostRollQueue(TimeProvider.System);
        var later = Case(1);
        queue.Add(later, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Same(later, await queue.NextAsync(() => true, () => true).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Null(await queue.NextAsync(() => true, () => true).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_full_post_roll_queue_makes_new_cases_due_at_once_instead_of_waiting()
    {
        var queue = new PostRollQueue(TimeProvider.System, capacity: 1);
        queue.Add(Case(1), DateTimeOffset.UtcNow.AddHours(1));
        var overflow = Case(2);
        queue.Add(overflow, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Same(overflow, await queue.NextAsync(() => true, () => false).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Backlog_keeps_records_but_gives_up_the_oldest_photos_past_its_memory_bound()
    {
        var backlog = new EvidenceBacklog(TimeProvider.System, maxHeldBytes: 10_000, maxHeldCases: 100);
        for (int i = 0; i < 5; i++) backlog.Hold(Case(i, jpegBytes: 1000), "No space left on device");

        var snapshot = backlog.Snapshot();
        Assert.Equal(5, snapshot.HeldCases);
        Assert.True(snapshot.HeldBytes <= 10_000, $"{snapshot.HeldBytes} bytes held");
        Assert.Equal(2, snapshot.PhotosDropped);
        var held = backlog.TakeAll();
        Assert.Equal([0, 1, 2, 3, 4], held.Select(h => h.Violation.TrackId));
        Assert.All(held.Take(2), h => Assert.All(h.Violation.Photos, p => Assert.Empty(p.Snapshot.Jpeg)));
        Assert.All(held.Skip(2), h => Assert.All(h.Violation.Photos, p => Assert.Equal(1000, p.Snapshot.Jpeg.Length)));
    }

    [Fact]
    public void Backlog_past_its_case_bound_gives_up_the_oldest_case_and_says_so()
    {
        var lost = new GivenUpCases();
        var backlog = new EvidenceBacklog(TimeProvider.System, lost, maxHeldBytes: long.MaxValue, maxHeldCases: 3);
        for (int i = 0; i < 4; i++) backlog.Hold(Case(i), "No space left on device");

        Assert.Equal(0, Assert.Single(lost).Violation.TrackId);
        Assert.Equal(3, backlog.Snapshot().HeldCases);
        Assert.Equal(1, backlog.Snapshot().CasesLost);
        Assert.Contains("camera cam-01 rule parking (illegal_parking)", lost[0].Describe());
        Assert.Contains("No space left on device", lost[0].Describe());
    }

    [Fact]
    public void Backlog_clears_its_problem_only_once_nothing_is_held()
    {
        var backlog = new EvidenceBacklog(TimeProvider.System);
        backlog.Hold(Case(1), "No space left on device");
        Assert.Equal("No space left on device", backlog.Snapshot().Problem);
        backlog.TakeAll();
        backlog.Cleared();
        Assert.Null(backlog.Snapshot().Problem);
        Assert.Equal(1, backlog.Snapshot().Failures);
    }

    [Fact]
    public void A_reloaded_post_roll_sets_when_new_cases_clips_are_due()
    {
        using var renderer = new PhotoRenderer(90);
        var writer = new EvidenceWriter(Path.GetTempPath(), renderer, new OneCameraSources(null, null), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        var violation = Case(1).Violation;
        Assert.Equal(violation.ConfirmedAt + TimeSpan.FromSeconds(2), writer.ClipDue(violation));

        writer.UseSettings(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 70);

        Assert.Equal(violation.ConfirmedAt + TimeSpan.FromSeconds(10), writer.ClipDue(violation));
        Assert.Equal(70, renderer.JpegQuality);
    }

    [Theory]
    [InlineData("No space left on device : '/spool/x/photo-1.jpg'", true)]
    [InlineData("Read-only file system : '/spool/x'", true)]
    [InlineData("Could not find a part of the path", false)]
    public void Disk_full_and_read_only_failures_are_storage_problems(string message, bool storage)
    {
        Assert.Equal(storage, EvidenceFailure.IsStorageFull(new IOException(message)));
    }

    /// <summary>The cases a backlog gave up, in order.</summary>
    private sealed class GivenUpCases : List<CaseProgress>, IGivenUpCases
    {
        public void GaveUp(CaseProgress progress) => Add(progress);
    }
}
