using Vision.Pipeline.Ingest;
using Vision.Rules;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class CameraHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_camera_is_connecting_since_it_was_created()
    {
        var clock = new FrameClock(Start);
        var health = new CameraHealth("cam-01", "North gate", "rtsp://***@10.0.0.5/h264", clock);

        var snapshot = health.Snapshot();

        Assert.Equal(CameraState.Connecting, health.State);
        Assert.Equal("connecting", snapshot.State);
        Assert.Equal(Start, snapshot.Since);
        Assert.Equal("rtsp://***@10.0.0.5/h264", snapshot.Source);
    }

    [Fact]
    public void Credentials_in_a_reason_never_reach_the_snapshot()
    {
        var health = new CameraHealth("cam-01", "North gate", "rtsp://***@10.0.0.5/h264", new FrameClock(Start));

        health.Set(CameraState.Offline, "the stream failed: rtsp://admin:S3cret!@10.0.0.5/h264: End of file");

        var reason = health.Snapshot().Reason;
        Assert.DoesNotContain("S3cret", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", reason, StringComparison.Ordinal);
        Assert.Equal("the stream failed: rtsp://***@10.0.0.5/h264: End of file", reason);
    }

    [Fact]
    public void The_recording_has_its_own_state_and_reason_beside_the_cameras_without_credentials()
    {
        var health = new CameraHealth("cam-01", "North gate", "rtsp://***@10.0.0.5/sub", new FrameClock(Start)) { RecordSource = "rtsp://***@10.0.0.5/main" };
        health.Set(CameraState.Online, "streaming h264 640x360");

        health.SetRecording(RecordingState.Failing, "record stream offline: rtsp://admin:S3cret!@10.0.0.5/main: Connection refused");
        health.RecordingFailed();

        var snapshot = health.Snapshot();
        Assert.Equal("online", snapshot.State);
        Assert.Equal("failing", snapshot.Recording);
        Assert.Equal("record stream offline: rtsp://***@10.0.0.5/main: Connection refused", snapshot.RecordingReason);
        Assert.Equal("rtsp://***@10.0.0.5/main", snapshot.RecordSource);
        Assert.Equal(1, snapshot.RecordingFailures);
    }

    [Fact]
    public void Since_moves_only_when_the_state_changes()
    {
        var clock = new FrameClock(Start);
        var health = new CameraHealth("cam-01", "North gate", "rtsp://10.0.0.5/h264", clock);

        clock.Set(Start.AddSeconds(5));
        health.Set(CameraState.Offline, "connection refused");
        clock.Set(Start.AddSeconds(9));
        health.Set(CameraState.Offline, "no answer from the camera (timed out)");

        var offline = health.Snapshot();
        Assert.Equal(Start.AddSeconds(5), offline.Since);
        Assert.Equal("no answer from the camera (timed out)", offline.Reason);

        clock.Set(Start.AddSeconds(12));
        health.Set(CameraState.Online, "frames arriving");

        var online = health.Snapshot();
        Assert.Equal("online", online.State);
        Assert.Equal(Start.AddSeconds(12), online.Since);
    }

    [Fact]
    public void Setting_the_initial_state_again_keeps_its_start_time()
    {
        var clock = new FrameClock(Start);
        var health = new CameraHealth("cam-01", "North gate", "rtsp://10.0.0.5/h264", clock);

        clock.Set(Start.AddMinutes(1));
        health.Set(CameraState.Connecting, "retrying");

        Assert.Equal(Start, health.Snapshot().Since);
    }

    [Fact]
    public void Snapshot_counts_dropped_and_analysed_frames_separately()
    {
        var health = new CameraHealth("cam-01", "North gate", "rtsp://10.0.0.5/h264", new FrameClock(Start));

        health.FrameReceived();
        health.FrameReceived();
        health.FrameReceived();
        health.FrameDropped();
        health.FrameAnalysed();
        health.FrameAnalysed();

        var snapshot = health.Snapshot();
        Assert.Equal(3, snapshot.FramesReceived);
        Assert.Equal(1, snapshot.FramesDropped);
        Assert.Equal(2, snapshot.FramesAnalysed);
        Assert.Equal(Start, snapshot.LastFrameAt);
    }
}
