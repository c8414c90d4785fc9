using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class ConfigYamlWriterTests
{
    private static ConfigKey RootKey(string key) => ConfigSchema.Root.Entries.Single(e => e.Key == key);

    [Fact]
    public void Sections_written_from_their_declarations_load_back_to_the_same_values()
    {
        var tracker = new TrackerConfig(0.45f, 0.15f, 0.25f, TimeSpan.FromMilliseconds(1500), 3);
        var live = new LiveConfig(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(2), 5);
        var recording = new RecordingConfig("/var/lib/vision \"rec\"", TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(10), 3L << 30, 1L << 30, false);

        var yaml = new ConfigYamlWriter()
            .Section(RootKey("tracker"))
            .Set(ConfigSchema.Tracker.HighScore, tracker.HighScore)
            .Set(ConfigSchema.Tracker.LowScore, tracker.LowScore)
            .Set(ConfigSchema.Tracker.MatchIou, tracker.MatchIou)
            .Set(ConfigSchema.Tracker.LostTimeout, tracker.LostTimeout)
            .Set(ConfigSchema.Tracker.ConfirmHits, tracker.ConfirmHits)
            .Section(RootKey("live"))
            .Set(ConfigSchema.Live.StallTimeout, live.StallTimeout)
            .Set(ConfigSchema.Live.ReconnectInitial, live.ReconnectInitial)
            .Set(ConfigSchema.Live.ReconnectMax, live.ReconnectMax)
            .Set(ConfigSchema.Live.FramesPerCamera, live.FramesPerCamera)
            .Section(RootKey("recording"))
            .Set(ConfigSchema.Recording.Enabled, recording.Enabled)
            .Set(ConfigSchema.Recording.Directory, recording.Directory)
            .Set(ConfigSchema.Recording.SegmentLength, recording.SegmentLength)
            .Set(ConfigSchema.Recording.Keep, recording.Keep)
            .Set(ConfigSchema.Recording.MaxBytesPerCamera, recording.MaxBytesPerCamera)
            .Set(ConfigSchema.Recording.MinFreeBytes, recording.MinFreeBytes)
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
