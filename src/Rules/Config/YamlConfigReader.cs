using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vision.Rules.Config;

/// <summary>Collects errors and key locations while one config file is mapped from YAML nodes to records.</summary>
internal sealed class YamlConfigReader
{
    private readonly string _file;

    public YamlConfigReader(string file)
        : this(file, [], new ConfigLocations(file))
    {
    }

    private YamlConfigReader(string file, List<ConfigError> errors, ConfigLocations locations)
    {
        _file = file;
        Errors = errors;
        Locations = locations;
    }

    /// <summary>A reader for a file the config includes (a camera's zones file): its locations name that file, its errors and key paths join this reader's.</summary>
    public YamlConfigReader ForIncludedFile(string file) => new(file, Errors, Locations);

    public string File => _file;

    public List<ConfigError> Errors { get; }

    public ConfigLocations Locations { get; }

    public ConfigLocation At(YamlNode node) =>
        new(_file, (int)Math.Min(node.Start.Line, int.MaxValue), (int)Math.Min(node.Start.Column, int.MaxValue));

    /// <summary>Records a mistake; a URL quoted in it (a camera's source written in the wrong place) loses its credentials.</summary>
    public void Error(ConfigLocation at, string path, string message) => Errors.Add(new ConfigError(at, path, UrlCredentials.Redact(message)));

    public void Error(YamlNode node, string path, string message) => Error(At(node), path, message);

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>How a node looks to a user, for "expected X, got Y" messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        _ when IsNull(node) => "nothing",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping of keys",
        _ => "an unsupported YAML node",
    };

    /// <summary>Opens a mapping, reporting a wrong type; null when the node is not a mapping.</summary>
    public YamlMap? Map(YamlNode node, string path, IReadOnlyList<string> keys, string example)
    {
        if (node is YamlMappingNode mapping) return new YamlMap(this, mapping, path, keys);
        Error(node, path, $"expected a mapping of keys ({example}), got {Describe(node)}");
        return null;
    }

    /// <summary>Opens a mapping of a declared section.</summary>
    public YamlMap? Map(YamlNode node, string path, ConfigSection section) => Map(node, path, section.Keys, section.Example);

    /// <summary>Items of a list with their key paths, each location recorded; reports a wrong type.</summary>
    public List<(YamlNode Node, string Path)>? Sequence(YamlNode node, string path, string example)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"expected a list, e.g. {example}, got {Describe(node)}");
            return null;
        }
        var items = new List<(YamlNode, string)>(sequence.Children.Count);
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var itemPath = Item(path, i);
            Locations.Add(itemPath, At(item));
            items.Add((item, itemPath));
        }
        return items;
    }

    /// <summary>The text of a scalar; reports lists, mappings and empty values.</summary>
    public string? Text(YamlNode node, string path, string what)
    {
        if (node is YamlScalarNode scalar && !IsNull(node) && scalar.Value is not null) return scalar.Value;
        Error(node, path, $"expected {what}, got {Describe(node)}");
        return null;
    }

    public double? Number(YamlNode node, string path)
    {
        var text = Text(node, path, "a number");
        if (text is null) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return value;
        Error(node, path, $"expected a number, got '{text}'");
        return null;
    }

    public int? Integer(YamlNode node, string path)
    {
        var text = Text(node, path, "a whole number");
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        Error(node, path, $"expected a whole number, got '{text}'");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        var text = Text(node, path, $"a duration ({ConfigDuration.Examples})");
        if (text is null) return null;
        if (ConfigDuration.TryParse(text, out var value)) return value;
        Error(node, path, $"bad duration '{text}': write e.g. {ConfigDuration.Examples}");
        return null;
    }

    /// <summary>A list of non-empty names (classes, zone ids); null when the node is not such a list.</summary>
    public List<(string Value, YamlNode Node, string Path)>? Names(YamlNode node, string path, string example)
    {
        var items = Sequence(node, path, example);
        if (items is null) return null;
        var names = new List<(string, YamlNode, string)>(items.Count);
        foreach (var (item, itemPath) in items)
        {
            var text = Text(item, itemPath, "a name");
            if (text is null) continue;
            if (string.IsNullOrWhiteSpace(text))
            {
                Error(item, itemPath, "is blank; write a name or remove the entry");
                continue;
            }
            names.Add((text.Trim(), item, itemPath));
        }
        return names;
    }
}

/// <summary>One YAML mapping checked against the keys its section allows; reads each key with its path and location.</summary>
internal sealed class YamlMap
{
    private readonly YamlConfigReader _reader;
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public YamlMap(YamlConfigReader reader, YamlMappingNode node, string path, IReadOnlyList<string> keys)
    {
        _reader = reader;
        Node = node;
        Path = path;
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode key || key.Value is null || YamlConfigReader.IsNull(key))
            {
                reader.Error(keyNode, path, $"keys must be plain names, got {YamlConfigReader.Describe(keyNode)}");
                continue;
            }
            var keyPath = YamlConfigReader.Child(path, key.Value);
            if (!Contains(keys, key.Value))
            {
                reader.Error(key, keyPath, UnknownKeyMessage(key.Value, keys));
                continue;
            }
            // Scalars point at the value (what is usually wrong); sections point at their key.
            reader.Locations.Add(keyPath, reader.At(value is YamlScalarNode ? value : key));
            _entries[key.Value] = (key, value);
        }
    }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public YamlConfigReader Reader => _reader;

    public string PathOf(string key) => YamlConfigReader.Child(Path, key);

    /// <summary>Where to report a key that is missing: the line that opened this section (its key, or its list item).</summary>
    private ConfigLocation Owner => Path.Length > 0 && _reader.Locations.Contains(Path) ? _reader.Locations.Find(Path) : _reader.At(Node);

    /// <summary>The value written for a key, or null when the key is absent.</summary>
    public YamlNode? Get(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>The value, or null when absent or written empty (for keys where empty means "not set").</summary>
    public YamlNode? GetSet(string key)
    {
        var node = Get(key);
        return node is null || YamlConfigReader.IsNull(node) ? null : node;
    }

    public void Error(string key, string message)
    {
        var node = Get(key);
        if (node is null) _reader.Error(Owner, PathOf(key), message);
        else _reader.Error(node, PathOf(key), message);
    }

    public void ErrorAtKey(string key, string message)
    {
        if (_entries.TryGetValue(key, out var entry)) _reader.Error(entry.Key, PathOf(key), message);
        else _reader.Error(Owner, PathOf(key), message);
    }

    /// <summary>The value of a key the user must write; reports it missing or empty.</summary>
    public YamlNode? Required(string key, string example)
    {
        var node = Get(key);
        if (node is null)
        {
            _reader.Error(Owner, PathOf(key), $"missing required key '{key}'; add e.g. '{key}: {example}'");
            return null;
        }
        if (YamlConfigReader.IsNull(node))
        {
            _reader.Error(node, PathOf(key), $"'{key}' is required but empty; write e.g. '{key}: {example}'");
            return null;
        }
        return node;
    }

    /// <summary>A declared setting: its default when left out, else the value parsed and checked as declared.</summary>
    public T Read<T>(Setting<T> setting) => setting.ReadFrom(this, setting.Default);

    /// <summary>A declared setting whose default depends on the rest of the file (a rule type's, another key's).</summary>
    public T Read<T>(Setting<T> setting, T fallback) => setting.ReadFrom(this, fallback);

    /// <summary>A key that may be left out (the default applies) but, when written, must have a value.</summary>
    private YamlNode? Optional(string key, string defaultText)
    {
        var node = Get(key);
        if (node is null) return null;
        if (YamlConfigReader.IsNull(node))
        {
            _reader.Error(node, PathOf(key), $"is empty; write a value or remove the key to use the default ({defaultText})");
            return null;
        }
        return node;
    }

    public string? OptionalText(string key)
    {
        var node = GetSet(key);
        return node is null ? null : _reader.Text(node, PathOf(key), "text");
    }

    public double Number(string key, double fallback, Func<double, string?> check)
    {
        var node = Optional(key, fallback.ToString(CultureInfo.InvariantCulture));
        if (node is null) return fallback;
        var value = _reader.Number(node, PathOf(key));
        if (value is null) return fallback;
        var problem = check(value.Value);
        if (problem is null) return value.Value;
        _reader.Error(node, PathOf(key), $"{problem}, got {value.Value.ToString(CultureInfo.InvariantCulture)}");
        return fallback;
    }

    public float Fraction(string key, float fallback, string meaning) =>
        (float)Number(key, fallback, v => v is >= 0 and <= 1 ? null : $"{meaning} must be between 0 and 1");

    public int Integer(string key, int fallback, Func<int, string?> check)
    {
        var node = Optional(key, fallback.ToString(CultureInfo.InvariantCulture));
        if (node is null) return fallback;
        var value = _reader.Integer(node, PathOf(key));
        if (value is null) return fallback;
        var problem = check(value.Value);
        if (problem is null) return value.Value;
        _reader.Error(node, PathOf(key), $"{problem}, got {value.Value.ToString(CultureInfo.InvariantCulture)}");
        return fallback;
    }

    public TimeSpan Duration(string key, TimeSpan fallback, Func<TimeSpan, string?> check)
    {
        var node = Optional(key, ConfigDuration.Format(fallback));
        if (node is null) return fallback;
        var value = _reader.Duration(node, PathOf(key));
        if (value is null) return fallback;
        var problem = check(value.Value);
        if (problem is null) return value.Value;
        _reader.Error(node, PathOf(key), $"{problem}, got {ConfigDuration.Format(value.Value)}");
        return fallback;
    }

    /// <summary>One of a fixed set of words; a wrong one is reported with the valid words and a likely intended one.</summary>
    public T Choice<T>(string key, T fallback, IReadOnlyList<(string Word, T Value)> options, string what)
    {
        var defaultWord = "";
        foreach (var option in options)
            if (EqualityComparer<T>.Default.Equals(option.Value, fallback)) defaultWord = option.Word;
        var node = Optional(key, defaultWord);
        if (node is null) return fallback;
        return TryChoice(node, PathOf(key), options, what, out var value) ? value : fallback;
    }

    public bool TryChoice<T>(YamlNode node, string path, IReadOnlyList<(string Word, T Value)> options, string what, out T value)
    {
        value = default!;
        var text = _reader.Text(node, path, what);
        if (text is null) return false;
        var words = new List<string>(options.Count);
        foreach (var option in options)
        {
            if (string.Equals(option.Word, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = option.Value;
                return true;
            }
            words.Add(option.Word);
        }
        _reader.Error(node, path, $"unknown {what} '{text}'{Suggestions.DidYouMean(text, words)}; valid: {string.Join(", ", words)}");
        return false;
    }

    internal static string UnknownKeyMessage(string key, IReadOnlyList<string> keys)
    {
        if (key == "<<") return "YAML merge keys ('<<') are not supported; write the keys out in full";
        var closest = Suggestions.Closest(key, keys);
        return closest is null
            ? $"unknown key '{key}'; valid keys here: {string.Join(", ", keys)}"
            : $"unknown key '{key}' (did you mean '{closest}'?)";
    }

    private static bool Contains(IReadOnlyList<string> keys, string key)
    {
        foreach (var k in keys)
            if (string.Equals(k, key, StringComparison.Ordinal)) return true;
        return false;
    }
}
