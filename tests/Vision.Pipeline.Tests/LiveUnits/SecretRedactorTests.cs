using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class SecretRedactorTests
{
    [Fact]
    public void User_and_password_are_replaced_by_stars()
    {
        Assert.Equal("rtsp://***@10.0.0.5:554/Streaming/Channels/101", SecretRedactor.Redact("rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101"));
    }

    [Theory]
    [InlineData("p:ss")]
    [InlineData("S3cr#t!$&*()")]
    [InlineData("p%40ss%2Fword")]
    [InlineData("a?b=c;d,e~f+g")]
    public void Password_with_special_characters_is_removed_entirely(string password)
    {
        var redacted = SecretRedactor.Redact($"rtsp://admin:{password}@cam-7.local/live");

        Assert.Equal("rtsp://***@cam-7.local/live", redacted);
    }

    [Theory]
    [InlineData("http://viewer:pw@10.0.0.9/mjpg/video.mjpg", "http://***@10.0.0.9/mjpg/video.mjpg")]
    [InlineData("rtsps://viewer:pw@10.0.0.9/h265", "rtsps://***@10.0.0.9/h265")]
    [InlineData("rtsp://tokenonly@10.0.0.9/h264", "rtsp://***@10.0.0.9/h264")]
    public void Credentials_are_removed_for_any_scheme_and_for_a_user_without_password(string url, string expected)
    {
        Assert.Equal(expected, SecretRedactor.Redact(url));
    }

    [Fact]
    public void Every_url_in_a_text_is_redacted()
    {
        var text = "Input rtsp://a:one@10.0.0.5/s1 failed | retry rtsp://b:two@10.0.0.6/s2 | 'http://c:three@10.0.0.7/m'";

        var redacted = SecretRedactor.Redact(text);

        Assert.Equal("Input rtsp://***@10.0.0.5/s1 failed | retry rtsp://***@10.0.0.6/s2 | 'http://***@10.0.0.7/m'", redacted);
    }

    [Theory]
    [InlineData("rtsp://10.0.0.5:554/h264")]
    [InlineData("rtsp://cam.local/stream?owner=ops@example.com")]
    [InlineData("mail ops@example.com about /srv/footage/cam.mp4")]
    public void Text_without_credentials_is_unchanged(string text)
    {
        Assert.Equal(text, SecretRedactor.Redact(text));
    }

    // ffmpeg splits user info from the host at the LAST '@' before the path (libavformat av_url_split), so
    // cameras are commonly configured with an unencoded '@' in the password, and ffmpeg accepts it.
    [Fact]
    public void Password_with_an_unencoded_at_sign_is_removed_entirely()
    {
        var redacted = SecretRedactor.Redact("rtsp://admin:p@ss@10.0.0.5/h264");

        Assert.Equal("rtsp://***@10.0.0.5/h264", redacted);
    }
}
