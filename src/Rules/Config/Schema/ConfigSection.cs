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

    /// <summary>The section whose keys <typeparamref name="TRecord"/> declares on its members (<see cref="SettingAttribute"/>).</summary>
    public static ConfigSection Of<TRecord>(string docHeading, string example, string docKeyPrefix = "") where TRecord : class, new() =>
        new(docHeading, example, DeclaredSettings.Of(typeof(TRecord)), docKeyPrefix) { Record = typeof(TRecord) };

    /// <summary>The record the section's keys are declared on; null for a section declared key by key.</summary>
    public Type? Record { get; private init; }

    /// <summary>A declared setting of the section, by key (for checks across keys and hand-read settings).</summary>
    public Setting<T> Setting<T>(string key)
    {
        foreach (var entry in Entries)
            if (entry.Key == key && entry is Setting<T> setting) return setting;
        throw new InvalidOperationException($"{DocHeading} declares no {typeof(T).Name} setting '{key}'");
    }

    /// <summary>The heading of the section in docs/config.md, e.g. "## `tracker`".</summary>
    public string DocHeading { get; }

    public string DocKeyPrefix { get; }

    /// <summary>What a mapping of this section looks like, for "expected a mapping of keys (...)".</summary>
    public string Example { get; }

    public IReadOnlyList<ConfigKey> Entries { get; }

    public IReadOnlyList<string> Keys { get; }
}
