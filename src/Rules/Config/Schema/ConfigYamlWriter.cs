using System.Globalization;
using System.Text;

namespace Vision.Rules.Config;

/// <summary>
/// Builds the YAML text Vision writes itself (a camera's zones file): comments, sections and list items of declared
/// keys, each value spelt as the loader reads it back, every text scalar quoted by <see cref="Quote"/>.
/// </summary>
internal sealed class ConfigYamlWriter
{
    private readonly StringBuilder _text = new();
    private string _indent = "";
    private bool _itemStarts;

    public ConfigYamlWriter Comment(string line)
    {
        _text.Append("# ").Append(line).Append('\n');
        return this;
    }

    /// <summary>A line as it is (e.g. "[]" for an empty list).</summary>
    public ConfigYamlWriter Line(string text)
    {
        _text.Append(text).Append('\n');
        return this;
    }

    /// <summary>A top-level section; the keys that follow go under it.</summary>
    public ConfigYamlWriter Section(ConfigKey key)
    {
        _text.Append(key.Key).Append(":\n");
        (_indent, _itemStarts) = ("  ", false);
        return this;
    }

    /// <summary>A top-level list item; the next key opens it ("- id: ..."), the ones after go under it.</summary>
    public ConfigYamlWriter Item()
    {
        (_indent, _itemStarts) = ("  ", true);
        return this;
    }

    /// <summary>A key with its value already in YAML (a flow list, a number).</summary>
    public ConfigYamlWriter Key(ConfigKey key, string yamlValue)
    {
        _text.Append(_itemStarts ? "- " : _indent).Append(key.Key).Append(": ").Append(yamlValue).Append('\n');
        _itemStarts = false;
        return this;
    }

    public ConfigYamlWriter Text(ConfigKey key, string value) => Key(key, YamlText.Quote(value));

    /// <summary>A declared setting, spelt the way the config reads it back to the same value.</summary>
    public ConfigYamlWriter Set<T>(Setting<T> setting, T value) => Key(setting, value is string text ? YamlText.Quote(text) : setting.Write(value));

    /// <summary>Every setting <paramref name="record"/> declares (its section is declared on it), in declaration order.</summary>
    public ConfigYamlWriter Settings<T>(ConfigSection section, T record) where T : class
    {
        foreach (var entry in section.Entries)
            if (entry.IsSetting) Key(entry, entry.WriteBoxed(entry.Member!.GetValue(record)));
        return this;
    }

    public override string ToString() => _text.ToString();
}
