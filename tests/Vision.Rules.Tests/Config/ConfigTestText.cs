using Vision.Rules.Config;

namespace Vision.Rules.Tests.Config;

/// <summary>Small configs written in tests, and helpers to read the errors they produce.</summary>
internal static class ConfigTestText
{
    public const string FileName = "vision.yaml";

    /// <summary>A valid config of 11 lines; text appended to it starts on line 12.</summary>
    public const string Minimal = """
        detector:
          model: yolox_nano
        cameras:
          - id: cam-01
            zones:
              - id: kerb
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
            rules:
              - id: parking
                type: illegal_parking
                zones: [kerb]

        """;

    public const int AppendedLine = 12;

    public static VisionConfig Parse(string yaml) => VisionConfigLoader.Parse(yaml, FileName);

    public static IReadOnlyList<ConfigError> Errors(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => VisionConfigLoader.Parse(yaml, FileName));
        Assert.NotEmpty(e.Errors);
        return e.Errors;
    }

    /// <summary>Asserts the config has exactly one error, at this line and key path, whose message contains each fragment.</summary>
    public static ConfigError SingleError(string yaml, int line, string keyPath, params string[] fragments)
    {
        var errors = Errors(yaml);
        var error = Assert.Single(errors);
        Assert.Equal(FileName, error.Location.File);
        Assert.Equal(line, error.Location.Line);
        Assert.Equal(keyPath, error.KeyPath);
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        return error;
    }
}
