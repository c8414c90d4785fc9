using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

/// <summary><c>cameras[].streams: { detect, record }</c>, the two-stream alternative to <c>cameras[].source</c>.</summary>
public sealed class CameraStreamsConfigTests
{
    private const string Main = "rtsp://admin:Main-Pass-7731@192.0.2.20:554/Streaming/Channels/101";
    private const string Sub = "rtsp://admin:Main-Pass-7731@192.0.2.20:554/Streaming/Channels/102";

    [Fact]
    public void Streams_put_the_detect_url_where_the_source_is_read_and_add_the_record_url()
    {
        var camera = Assert.Single(Parse(Minimal + $"    streams: {{ detect: {Sub}, record: {Main} }}\n").Cameras);

        Assert.Equal(Sub, camera.Source);
        Assert.Equal(Main, camera.RecordSource);
    }

    [Fact]
    public void Streams_may_be_written_as_a_block()
    {
        var camera = Assert.Single(Parse(Minimal + $"    streams:\n      detect: {Sub}\n      record: {Main}\n").Cameras);

        Assert.Equal(Sub, camera.Source);
        Assert.Equal(Main, camera.RecordSource);
    }

    [Fact]
    public void A_source_is_still_one_stream_that_is_analysed_and_recorded()
    {
        var camera = Assert.Single(Parse(Minimal + $"    source: {Main}\n").Cameras);

        Assert.Equal(Main, camera.Source);
        Assert.Null(camera.RecordSource);
    }

    [Fact]
    public void The_same_url_for_detect_and_record_is_one_stream()
    {
        var camera = Assert.Single(Parse(Minimal + $"    streams: {{ detect: {Main}, record: {Main} }}\n").Cameras);

        Assert.Equal(Main, camera.Source);
        Assert.Null(camera.RecordSource);
    }

    [Fact]
    public void Source_and_streams_together_are_refused_at_the_streams_key()
    {
        SingleError(Minimal + $"    source: {Main}\n    streams: {{ detect: {Sub}, record: {Main} }}\n",
            AppendedLine + 1, "cameras[0].streams", "either 'source: URL'", "not both");
    }

    [Fact]
    public void Streams_without_record_names_the_missing_key_with_its_path()
    {
        SingleError(Minimal + $"    streams: {{ detect: {Sub} }}\n",
            AppendedLine, "cameras[0].streams.record", "missing required key 'record'");
    }

    [Fact]
    public void Streams_without_detect_names_the_missing_key_with_its_path()
    {
        SingleError(Minimal + $"    streams: {{ record: {Main} }}\n",
            AppendedLine, "cameras[0].streams.detect", "missing required key 'detect'");
    }

    [Fact]
    public void Streams_with_neither_key_reports_both()
    {
        var errors = Errors(Minimal + "    streams: {}\n");

        Assert.Equal(["cameras[0].streams.detect", "cameras[0].streams.record"], errors.Select(e => e.KeyPath).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Empty_streams_says_what_to_write()
    {
        SingleError(Minimal + "    streams:\n", AppendedLine, "cameras[0].streams", "detect: URL, record: URL");
    }

    [Fact]
    public void A_blank_stream_url_is_an_error()
    {
        SingleError(Minimal + $"    streams: {{ detect: \" \", record: {Main} }}\n", AppendedLine, "cameras[0].streams.detect", "is blank");
    }

    [Fact]
    public void A_misspelt_stream_role_suggests_the_right_one()
    {
        var errors = Errors(Minimal + $"    streams: {{ detect: {Sub}, recrod: {Main} }}\n");

        Assert.Contains(errors, e => e.KeyPath == "cameras[0].streams.recrod" && e.Message.Contains("did you mean 'record'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.KeyPath == "cameras[0].streams.record");
    }

    [Fact]
    public void The_path_names_the_camera_by_its_index()
    {
        string third = "  - id: cam-03\n    streams: { detect: rtsp://192.0.2.30/sub }\n";
        string yaml = Minimal + "  - id: cam-02\n    source: rtsp://192.0.2.29/main\n" + third;

        var error = Assert.Single(Errors(yaml));
        Assert.Equal("cameras[2].streams.record", error.KeyPath);
    }

    [Fact]
    public void A_url_written_where_the_streams_mapping_belongs_is_not_repeated_with_its_password()
    {
        var error = SingleError(Minimal + $"    streams: {Main}\n", AppendedLine, "cameras[0].streams", "expected a mapping");

        Assert.DoesNotContain("Main-Pass-7731", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("rtsp://***@192.0.2.20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_given_as_a_list_is_refused_without_its_password()
    {
        var error = SingleError(Minimal + $"    streams: {{ detect: [{Sub}], record: {Main} }}\n", AppendedLine, "cameras[0].streams.detect", "stream URL");

        Assert.DoesNotContain("Main-Pass-7731", error.ToString(), StringComparison.Ordinal);
    }
}
