using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class LiveConfigTests
{
    private const int SectionKeyLine = AppendedLine + 1; // the first key under a section appended to Minimal

    private static VisionConfig ParseTest(string yaml) => VisionConfigLoader.Parse(yaml, "test.yaml");

    [Fact]
    public void Config_without_live_recording_or_evidence_directory_uses_the_defaults()
    {
        var config = ParseTest(Minimal);

        Assert.Equal(new LiveConfig { StallTimeout = TimeSpan.FromSeconds(10), ReconnectInitial = TimeSpan.FromSeconds(1), ReconnectMax = TimeSpan.FromSeconds(30), FramesPerCamera = 3 }, config.Live);
        Assert.Equal(new RecordingConfig
        {
            Directory = "recordings", SegmentLength = TimeSpan.FromSeconds(2), Keep = TimeSpan.FromMinutes(4), MaxBytesPerCamera = 256L << 20, MinFreeBytes = 512L << 20, Enabled = true,
        }, config.Recording);
        Assert.Same(LiveConfig.Default, config.Live);
        Assert.Same(RecordingConfig.Default, config.Recording);
        Assert.Equal("evidence", config.Evidence.Directory);
    }

    [Fact]
    public void Live_section_is_read()
    {
        var config = ParseTest(Minimal + """
            live:
              stall_timeout: 4s
              reconnect_initial: 500ms
              reconnect_max: 1m
              frames_per_camera: 6

            """);

        Assert.Equal(new LiveConfig { StallTimeout = TimeSpan.FromSeconds(4), ReconnectInitial = TimeSpan.FromMilliseconds(500), ReconnectMax = TimeSpan.FromMinutes(1), FramesPerCamera = 6 }, config.Live);
    }

    [Fact]
    public void Live_keys_left_out_keep_their_defaults()
    {
        var config = ParseTest(Minimal + "live: { stall_timeout: 20s }\n");

        Assert.Equal(LiveConfig.Default with { StallTimeout = TimeSpan.FromSeconds(20) }, config.Live);
    }

    [Fact]
    public void Recording_section_is_read()
    {
        var config = ParseTest(Minimal + """
            recording:
              enabled: false
              directory: /var/lib/vision/rec
              segment_length: 4s
              keep: 10m
              max_bytes_per_camera: 1073741824
              min_free_bytes: 0

            """);

        Assert.Equal(new RecordingConfig
        {
            Directory = "/var/lib/vision/rec", SegmentLength = TimeSpan.FromSeconds(4), Keep = TimeSpan.FromMinutes(10), MaxBytesPerCamera = 1L << 30, MinFreeBytes = 0, Enabled = false,
        }, config.Recording);
    }

    [Fact]
    public void Recording_keys_left_out_keep_their_defaults()
    {
        var config = ParseTest(Minimal + "recording: { keep: 30s }\n");

        Assert.Equal(RecordingConfig.Default with { Keep = TimeSpan.FromSeconds(30) }, config.Recording);
    }

    [Fact]
    public void Evidence_directory_is_read_next_to_the_other_evidence_settings()
    {
        var config = ParseTest(Minimal + "evidence: { directory: /srv/evidence, pre_roll: 3s }\n");

        Assert.Equal("/srv/evidence", config.Evidence.Directory);
        Assert.Equal(TimeSpan.FromSeconds(3), config.Evidence.PreRoll);
    }

    [Theory]
    [InlineData("stall_timeout: 1s")]
    [InlineData("reconnect_initial: 1ms")]
    [InlineData("reconnect_initial: 5s\n  reconnect_max: 5s")]
    [InlineData("frames_per_camera: 2")]
    [InlineData("frames_per_camera: 16")]
    public void Live_values_at_the_edge_of_their_range_are_accepted(string lines)
    {
        ParseTest(Minimal + "live:\n  " + lines + "\n");
    }

    [Theory]
    [InlineData("stall_timeout: 999ms", "live.stall_timeout", "stall_timeout must be at least 1s, got 999ms")]
    [InlineData("reconnect_initial: 0s", "live.reconnect_initial", "reconnect_initial must be > 0, got 0s")]
    [InlineData("reconnect_max: -1s", "live.reconnect_max", "reconnect_max must be > 0, got -1s")]
    [InlineData("frames_per_camera: 1", "live.frames_per_camera", "frames_per_camera must be between 2 and 16, got 1")]
    [InlineData("frames_per_camera: 17", "live.frames_per_camera", "frames_per_camera must be between 2 and 16, got 17")]
    [InlineData("frames_per_camera: many", "live.frames_per_camera", "expected a whole number, got 'many'")]
    [InlineData("stall_timeout: soon", "live.stall_timeout", "bad duration 'soon'")]
    public void Live_value_out_of_range_is_an_error_at_its_line_and_key(string line, string keyPath, string message)
    {
        SingleError(Minimal + "live:\n  " + line + "\n", SectionKeyLine, keyPath, message);
    }

    [Fact]
    public void Reconnect_max_below_reconnect_initial_names_both_values()
    {
        var errors = Errors(Minimal + "live:\n  reconnect_initial: 5s\n  reconnect_max: 2s\n");

        var error = Assert.Single(errors);
        Assert.Equal("live.reconnect_max", error.KeyPath);
        Assert.Contains("reconnect_max (2s) must not be below reconnect_initial (5s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconnect_max_below_reconnect_initial_is_reported_on_the_reconnect_max_line()
    {
        SingleError(Minimal + "live:\n  stall_timeout: 10s\n  reconnect_initial: 5s\n  reconnect_max: 2s\n", AppendedLine + 3, "live.reconnect_max",
            "must not be below reconnect_initial");
    }

    [Fact]
    public void Reconnect_initial_above_the_default_max_asks_for_a_larger_max()
    {
        var error = Assert.Single(Errors(Minimal + "live:\n  reconnect_initial: 1m\n"));

        Assert.Equal("live.reconnect_max", error.KeyPath);
        Assert.Contains("reconnect_max (30s) must not be below reconnect_initial (1m)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("segment_length: 1s")]
    [InlineData("segment_length: 30s")]
    [InlineData("keep: 10s")]
    [InlineData("max_bytes_per_camera: 1048576")]
    [InlineData("min_free_bytes: 0")]
    [InlineData("enabled: true")]
    public void Recording_values_at_the_edge_of_their_range_are_accepted(string line)
    {
        ParseTest(Minimal + "recording:\n  " + line + "\n");
    }

    [Theory]
    [InlineData("segment_length: 999ms", "recording.segment_length", "segment_length must be between 1s and 30s, got 999ms")]
    [InlineData("segment_length: 31s", "recording.segment_length", "segment_length must be between 1s and 30s, got 31s")]
    [InlineData("keep: 9s", "recording.keep", "keep must be at least 10s")]
    [InlineData("max_bytes_per_camera: 1048575", "recording.max_bytes_per_camera", "max_bytes_per_camera must be at least 1048576 (1 MiB), got 1048575")]
    [InlineData("min_free_bytes: -1", "recording.min_free_bytes", "min_free_bytes must be >= 0, got -1")]
    [InlineData("enabled: maybe", "recording.enabled", "'maybe'")]
    public void Recording_value_out_of_range_is_an_error_at_its_line_and_key(string line, string keyPath, string message)
    {
        SingleError(Minimal + "recording:\n  " + line + "\n", SectionKeyLine, keyPath, message);
    }

    [Fact]
    public void Misspelt_live_key_suggests_the_right_one()
    {
        var error = Assert.Single(Errors(Minimal + "live:\n  stall_timout: 5s\n"));

        Assert.Equal("live.stall_timout", error.KeyPath);
        Assert.Contains("unknown key 'stall_timout' (did you mean 'stall_timeout'?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelt_recording_key_suggests_the_right_one()
    {
        var error = Assert.Single(Errors(Minimal + "recording:\n  max_bytes_per_cam: 2097152\n"));

        Assert.Equal("recording.max_bytes_per_cam", error.KeyPath);
        Assert.Contains("did you mean 'max_bytes_per_camera'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mistakes_in_live_and_recording_are_all_reported_at_once()
    {
        var errors = Errors(Minimal + "live:\n  frames_per_camera: 1\nrecording:\n  keep: 1s\n");

        Assert.Equal(["live.frames_per_camera", "recording.keep"], errors.Select(e => e.KeyPath));
    }

    [Fact]
    public void Live_written_as_a_list_is_a_wrong_type_error()
    {
        var error = Assert.Single(Errors(Minimal + "live: [4s]\n"));

        Assert.Equal("live", error.KeyPath);
        Assert.Contains("got a list", error.Message, StringComparison.Ordinal);
    }
}
