using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class ConfigYamlWriterTests
{
    private static ConfigKey RootKey(string key) => ConfigSchema.Root.Entries.Single(e => e.Key == key);

    [Fact]
    public void Sections_written_from_their_declarations_load_back_to_the_same_values()
    {
        var tracker = new TrackerConfig { HighScore = 0.45f, LowScore = 0.15f, MatchIou = 0.25f, LostTimeout = TimeSpan.FromMilliseconds(1500), ConfirmHits = 3 };
        var live = new LiveConfig
        {
            StallTimeout = TimeSpan.FromSeconds(4), ReconnectInitial = TimeSpan.FromMilliseconds(250), ReconnectMax = TimeSpan.FromMinutes(2), FramesPerCamera = 5,
        };
        var recording = new RecordingConfig
        {
            Directory = "/var/lib/vision \"rec\"", SegmentLength = TimeSpan.FromSeconds(4), Keep = TimeSpan.FromMinutes(10),
            MaxBytesPerCamera = 3L << 30, MinFreeBytes = 1L << 30, Enabled = false,
        };

        var yaml = new ConfigYamlWriter()
            .Section(RootKey("tracker")).Settings(ConfigSchema.Tracker.Section, tracker)
            .Section(RootKey("live")).Settings(ConfigSchema.Live.Section, live)
            .Section(RootKey("recording")).Settings(ConfigSchema.Recording.Section, recording)
            .ToString();

        var config = Parse(Minimal + yaml);

        Assert.Equal(tracker, config.Tracker);
        Assert.Equal(live, config.Live);
        Assert.Equal(recording, config.Recording);
        Assert.Contains("  lost_timeout: 1s500ms\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  enabled: false\n", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("东侧 \"路缘\"", "\"东侧 \\\"路缘\\\"\"")]
    [InlineData("a\\b\n\tc\u0001", "\"a\\\\b\\n\\tc\\u0001\"")]
    public void Quoted_text_reads_back_unchanged(string text, string quoted)
    {
        Assert.Equal(quoted, YamlText.Quote(text));
        var config = Parse(Minimal + $"evidence:\n  directory: {quoted}\n");
        Assert.Equal(text, config.Evidence.Directory);
    }
}
