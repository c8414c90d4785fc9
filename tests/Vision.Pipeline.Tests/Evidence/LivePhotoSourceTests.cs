using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Evidence;

/// <summary>
/// The live path of a case's photos: written from the analysis frames at confirmation, then, after the post-roll,
/// again from the recording ring at full resolution; a moment the recording does not hold keeps its analysis frame
/// and the case says why.
/// </summary>
public sealed class LivePhotoSourceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly string _dir = Directory.CreateTempSubdirectory("vision-live-photos-").FullName;

    private static readonly CameraConfig Camera = VisionConfigLoader.Parse("""
        detector: { model: yolox_nano }
        cameras:
          - id: cam-01
            name: 人民路口
            source: rtsp://127.0.0.1:8554/cam-01
            location: { address: 人民路东侧 }
            zones: [ { id: kerb, polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]] } ]
            rules: [ { id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 5s } ]
        """, "test.yaml").Cameras[0];

    private readonly ChildProcesses _children = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_case_whose_recording_is_missing_keeps_its_analysis_frame_photos_and_says_why_per_photo()
    {
        var ring = new SegmentRing(Path.Combine(_dir, "ring"), RecordingConfig.Default with { Directory = Path.Combine(_dir, "ring") });
        using var renderer = new PhotoRenderer(90);
        var writer = new EvidenceWriter(Path.Combine(_dir, "evidence"), renderer, new OneCameraSources(null, new RingFrameSource(ring, _children)),
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        var violation = Violation(T0.AddSeconds(1), T0.AddSeconds(3), T0.AddSeconds(6));

        var started = await writer.WritePhotosAsync(violation, CancellationToken.None);
        Assert.Equal(4, started.Photos.Count); // written at once: the fallback is on disk before the post-roll
        Assert.All(started.Photos, p => Assert.True(File.Exists(Path.Combine(_dir, "evidence", p.File))));

        var written = await writer.FinishAsync(started, CancellationToken.None);
        var photos = written.Record.Evidence.Photos;
        Assert.Equal(["first_seen", "midway", "confirmation", "closeup"], photos.Select(p => p.Role));
        Assert.All(photos, p =>
        {
            Assert.Equal("analysis_frame", p.Source);
            Assert.Contains("the recording holds no complete segment", p.SourceNote);
            if (p.Role == "closeup") Assert.True(p.Width >= PhotoRenderer.MinCloseUpWidth);
            else Assert.Equal(320, p.Width);
        });
        var resolution = written.Record.Compliance!.GaT832.Checks.Single(c => c.Name == "resolution");
        Assert.False(resolution.Met);
        Assert.Contains("from the analysis frame", resolution.Detail);
        AssertListedAndHashed(written);
    }

    [SharedDataFact]
    public async Task A_live_case_takes_its_photos_from_the_recording_ring_at_full_resolution_where_it_holds_them()
    {
        var ring = new SegmentRing(Path.Combine(_dir, "ring"), RecordingConfig.Default with { Directory = Path.Combine(_dir, "ring") });
        Record(ring, SharedData.Footage("bottle-detection.mp4"), TimeSpan.FromSeconds(20), T0);
        using var renderer = new PhotoRenderer(90);
        var writer = new EvidenceWriter(Path.Combine(_dir, "evidence"), renderer, new OneCameraSources(null, new RingFrameSource(ring, _children)),
            TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        // The first two moments are recorded; the confirmation comes after the recording stopped (the camera went offline).
        var violation = Violation(T0.AddSeconds(2), T0.AddSeconds(10), T0.AddSeconds(60));

        var written = await writer.FinishAsync(await writer.WritePhotosAsync(violation, CancellationToken.None), CancellationToken.None);

        var photos = written.Record.Evidence.Photos;
        Assert.Equal(("recording", 640, 360), (photos[0].Source, photos[0].Width, photos[0].Height));
        Assert.Equal(("recording", 640, 360), (photos[1].Source, photos[1].Width, photos[1].Height));
        Assert.Null(photos[0].SourceNote);
        Assert.Equal(("analysis_frame", 320), (photos[2].Source, photos[2].Width));
        Assert.Contains("no complete segment", photos[2].SourceNote);
        Assert.NotEqual(photos[0].Original!.Sha256, photos[1].Original!.Sha256); // two moments, two frames
        AssertListedAndHashed(written);
    }

    /// <summary>Every photo and its original are files whose SHA-256 the manifest lists.</summary>
    private void AssertListedAndHashed(WrittenCase written)
    {
        var manifest = CaseManifest.Parse(File.ReadAllBytes(Path.Combine(_dir, "evidence", written.Record.Evidence.Manifest!)));
        foreach (var photo in written.Record.Evidence.Photos)
            foreach (var (file, sha) in new[] { (photo.File, photo.Sha256), (photo.Original!.File, photo.Original.Sha256) })
            {
                Assert.Contains(manifest.Objects, o => o.File == file && o.Sha256 == sha);
                Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, "evidence", file)))));
            }
    }

    /// <summary>A parking episode seen at three moments, analysed at 320x180 (a camera whose recording is 640x360).</summary>
    private static ViolationCase Violation(params DateTimeOffset[] moments)
    {
        var roles = new[] { PhotoRole.FirstSeen, PhotoRole.Midway, PhotoRole.Confirmation };
        var photos = new List<(PhotoRole, FrameSnapshot)>();
        for (int i = 0; i < 3; i++)
        {
            using var frame = new Mat(180, 320, MatType.CV_8UC3, new Scalar(90 + 20 * i, 120, 140));
            Cv2.Rectangle(frame, new Rect(100, 110, 80, 40), new Scalar(40, 40, 200), -1);
            photos.Add((roles[i], new FrameSnapshot(PhotoRenderer.Encode(frame, 95), moments[i], moments[i] - T0, new BoundingBox(100, 110, 80, 40), 0.8f)));
        }
        return new ViolationCase(Camera, Camera.Rules[0], Camera.Zones[0], 1, 7, "car", moments[0], moments[2], photos, 320, 180, 640, 360);
    }

    /// <summary>Records <paramref name="length"/> of a file into the ring as a live camera does: ffmpeg's segment muxer with its csv list, the run anchored at <paramref name="anchor"/>.</summary>
    private static void Record(SegmentRing ring, string footage, TimeSpan length, DateTimeOffset anchor)
    {
        var run = ring.BeginRun();
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-nostdin", "-i", footage, "-t", length.TotalSeconds.ToString(CultureInfo.InvariantCulture), "-map", "0:v:0", "-c:v", "copy",
                     "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts", "-reset_timestamps", "1",
                     "-segment_start_number", run.FirstSequence.ToString(CultureInfo.InvariantCulture), "-segment_list", run.ListPath, "-segment_list_type", "csv", run.Pattern })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        Assert.True(run.Anchor(TimeSpan.Zero, anchor));
        ring.EndRun(run);
        Assert.NotEmpty(ring.Segments());
    }
}
