namespace Vision.Rules.Config;

/// <summary>
/// The keys of one config section in the order its unknown-key message lists them; the reference documents the section
/// under <see cref="DocHeading"/>, naming each key with <see cref="DocKeyPrefix"/> in front (<c>analysis.fps</c>).
/// </summary>
internal sealed class ConfigSection
{
    public ConfigSection(string docHeading, string example, IReadOnlyList<ConfigKey> entries, string docKeyPrefix = "")
    {
        DocHeading = docHeading;
        Example = example;
        Entries = entries;
        DocKeyPrefix = docKeyPrefix;
        var keys = new string[entries.Count];
        for (int i = 0; i < keys.Length; i++) keys[i] = entries[i].Key;
        Keys = keys;
    }

    /// <summary>The heading of the section in docs/config.md, e.g. "## `tracker`".</summary>
    public string DocHeading { get; }

    public string DocKeyPrefix { get; }

    /// <summary>What a mapping of this section looks like, for "expected a mapping of keys (...)".</summary>
    public string Example { get; }

    public IReadOnlyList<ConfigKey> Entries { get; }

    public IReadOnlyList<string> Keys { get; }
}
