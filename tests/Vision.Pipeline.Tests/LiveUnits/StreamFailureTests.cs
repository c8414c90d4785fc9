using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class StreamFailureTests
{
    [Theory]
    [InlineData("[rtsp @ 0x55d1c0] method DESCRIBE failed: 401 Unauthorized\nrtsp://***@10.0.0.5/h264: Server returned 401 Unauthorized (authorization failed)")]
    [InlineData("[http @ 0x55d1c0] HTTP error 403 Forbidden\nhttp://***@10.0.0.5/mjpg: Server returned 403 Forbidden (access denied)")]
    public void Rejected_credentials_are_auth_failed_and_point_at_the_credentials(string output)
    {
        var (state, reason) = StreamFailure.Classify(output);

        Assert.Equal(CameraState.AuthFailed, state);
        Assert.Contains("credentials", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[rtsp @ 0x55d1c0] method DESCRIBE failed: 404 Not Found\nrtsp://10.0.0.5/nope: Server returned 404 Not Found")]
    [InlineData("[rtsp @ 0x55d1c0] method SETUP failed: 454 Session Not Found")]
    public void Missing_stream_path_is_a_bad_url_that_points_at_the_path(string output)
    {
        var (state, reason) = StreamFailure.Classify(output);

        Assert.Equal(CameraState.BadUrl, state);
        Assert.Contains("path", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[tcp @ 0x55d1c0] Failed to resolve hostname cam-99.invalid: Name or service not known")]
    [InlineData("[tcp @ 0x55d1c0] Failed to resolve hostname cam-99.example: Temporary failure in name resolution")]
    public void Unresolvable_host_is_a_bad_url_that_points_at_the_host(string output)
    {
        var (state, reason) = StreamFailure.Classify(output);

        Assert.Equal(CameraState.BadUrl, state);
        Assert.Contains("host name does not resolve", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refused_connection_is_offline()
    {
        var (state, reason) = StreamFailure.Classify("[tcp @ 0x55d1c0] Connection to tcp://10.0.0.5:554?timeout=0 failed: Connection refused\nrtsp://10.0.0.5/h264: Connection refused");

        Assert.Equal(CameraState.Offline, state);
        Assert.Contains("connection refused", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeout_is_offline_with_no_answer_from_the_camera()
    {
        var (state, reason) = StreamFailure.Classify("[tcp @ 0x55d1c0] Connection to tcp://10.0.0.5:554?timeout=10000000 failed: Connection timed out");

        Assert.Equal(CameraState.Offline, state);
        Assert.Contains("timed out", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Matching_ignores_letter_case()
    {
        Assert.Equal(CameraState.Offline, StreamFailure.Classify("CONNECTION REFUSED").State);
        Assert.Equal(CameraState.AuthFailed, StreamFailure.Classify("server said 401 unauthorized").State);
    }

    [Fact]
    public void Unknown_failure_is_offline_and_quotes_the_last_line_ffmpeg_printed()
    {
        var output = "Input #0, rtsp, from 'rtsp://***@10.0.0.5/h264':\n[h264 @ 0x55d1c0] error while decoding MB 3 4\nrtsp://***@10.0.0.5/h264: Invalid data found when processing input\n";

        var (state, reason) = StreamFailure.Classify(output);

        Assert.Equal(CameraState.Offline, state);
        Assert.Equal("the stream failed: rtsp://***@10.0.0.5/h264: Invalid data found when processing input", reason);
    }

    [Fact]
    public void Unknown_failure_in_an_error_tail_quotes_its_last_entry()
    {
        var (state, reason) = StreamFailure.Classify("Stream mapping: | Press [q] to stop | muxer went away ");

        Assert.Equal(CameraState.Offline, state);
        Assert.Equal("the stream failed: muxer went away", reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n \n")]
    public void Silent_exit_is_offline_because_the_stream_ended(string output)
    {
        var (state, reason) = StreamFailure.Classify(output);

        Assert.Equal(CameraState.Offline, state);
        Assert.Equal("the stream ended", reason);
    }

    [Fact]
    public void Rejected_credentials_win_over_an_earlier_timeout_in_the_same_output()
    {
        var (state, _) = StreamFailure.Classify("[tcp @ 0x1] Connection timed out, retrying\n[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized");

        Assert.Equal(CameraState.AuthFailed, state);
    }

    [Fact]
    public void A_server_that_accepts_and_stays_silent_until_the_timeout_is_stalled_with_no_answer()
    {
        // What ffprobe prints for a TCP port that accepts and never answers the RTSP request (measured).
        var (state, reason) = StreamFailure.Classify("rtsp://127.0.0.1:47555/x: Invalid data found when processing input", took: TimeSpan.FromSeconds(4.1), timeout: TimeSpan.FromSeconds(4));

        Assert.Equal(CameraState.Stalled, state);
        Assert.Contains("no answer", reason, StringComparison.Ordinal);
        Assert.Contains("4 s", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_data_that_comes_at_once_is_still_a_failed_stream()
    {
        var (state, _) = StreamFailure.Classify("rtsp://127.0.0.1:47555/x: Invalid data found when processing input", took: TimeSpan.FromSeconds(0.2), timeout: TimeSpan.FromSeconds(4));

        Assert.Equal(CameraState.Offline, state);
    }

    [Fact]
    public void A_named_cause_keeps_its_state_however_long_it_took()
    {
        var (state, _) = StreamFailure.Classify("method DESCRIBE failed: 401 Unauthorized", took: TimeSpan.FromSeconds(10), timeout: TimeSpan.FromSeconds(4));

        Assert.Equal(CameraState.AuthFailed, state);
    }
}
