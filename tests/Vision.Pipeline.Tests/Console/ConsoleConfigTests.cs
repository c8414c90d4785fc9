using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Console;

/// <summary>The config's <c>console:</c> section: the sessions' idle timeout and absolute lifetime, defaults and mistakes.</summary>
public sealed class ConsoleConfigTests
{
    private static VisionConfig Parse(string console) =>
        VisionConfigLoader.Parse(ConsoleApiTests.Config("rtsp://127.0.0.1:9/none").Replace("WORK", "/tmp/vision-console-config", StringComparison.Ordinal) + console, "vision.yaml");

    [Fact]
    public void Sessions_last_8_hours_idle_and_12_hours_at_most_unless_the_console_section_says_otherwise()
    {
        Assert.Equal(new ConsoleConfig { SessionIdle = TimeSpan.FromHours(8), SessionLifetime = TimeSpan.FromHours(12) }, Parse("").Console);
        Assert.Equal(new ConsoleConfig { SessionIdle = TimeSpan.FromMinutes(30), SessionLifetime = TimeSpan.FromHours(9) }, Parse("console: { session_idle: 30m, session_lifetime: 9h }\n").Console);
        Assert.Equal(TimeSpan.FromHours(8), Parse("console: { session_lifetime: 1d }\n").Console.SessionIdle);
    }

    [Fact]
    public void A_wrong_session_setting_is_refused_naming_its_key_and_the_allowed_range()
    {
        var tooShort = Assert.Throws<ConfigException>(() => Parse("console: { session_idle: 1m }\n"));
        Assert.Contains("console.session_idle: session_idle must be between 5m and 30d, got 1m", tooShort.Message);
        var unknown = Assert.Throws<ConfigException>(() => Parse("console: { session_lifetme: 12h }\n"));
        Assert.Contains("console", unknown.Message);
        Assert.Contains("session_lifetime", unknown.Message);
    }
}
