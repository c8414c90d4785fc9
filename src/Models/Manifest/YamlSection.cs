using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vision.Models;

/// <summary>One mapping of a manifest (the root, <c>input</c> or <c>output</c>) read with typed accessors whose errors name the file and key path.</summary>
internal sealed class YamlSection
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["file"] = "file: yolox_nano.onnx",
        ["input"] = "input: with name, width, height, channel_order, scale, letterbox, pad_value",
        ["input.name"] = "name: images",
        ["input.width"] = "width: 416",
        ["input.height"] = "height: 416",
        ["input.channel_order"] = "channel_order: bgr",
        ["input.scale"] = "scale: 1.0",
        ["input.letterbox"] = "letterbox: top_left",
        ["input.pad_value"] = "pad_value: 114",
        ["output"] = "output: with name, layout (and strides for yolox)",
        ["output.name"] = "name: output",
        ["output.layout"] = "layout: yolox",
        ["output.strides"] = "strides: [8, 16, 32]",
        ["classes"] = "classes: coco.names",
    };

    private readonly string _file;
    private readonly string _prefix;
    private readonly YamlMappingNode _node;

    public YamlSection(string file, string prefix, YamlMappingNode node, IReadOnlyList<string> knownKeys)
    {
        _file = file;
        _prefix = prefix;
        _node = node;
        foreach (var entry in node.Children)
        {
            var key = (entry.Key as YamlScalarNode)?.Value ?? entry.Key.ToString();
            if (!knownKeys.Contains(key))
                throw Error(key, $"is not a known key; use {string.Join(", ", knownKeys)}");
        }
    }

    public string KeyPath(string key) => _prefix + key;

    public ModelLoadException Error(string key, string problem) => new($"{_file}: {KeyPath(key)} {problem}");

    public YamlNode? Find(string key)
    {
        foreach (var entry in _node.Children)
        {
            if (entry.Key is YamlScalarNode { Value: var k } && k == key)
                return IsNull(entry.Value) ? null : entry.Value;
        }
        return null;
    }

    public YamlNode Require(string key) => Find(key) ?? throw Missing(key);

    public string? OptionalString(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is not YamlScalarNode scalar) throw Error(key, "must be a single value, not a list or mapping");
        return scalar.Value!.Trim();
    }

    public string RequiredString(string key) => OptionalString(key) ?? throw Missing(key);

    public YamlSection RequiredSection(string key, IReadOnlyList<string> knownKeys)
    {
        var node = Require(key);
        if (node is not YamlMappingNode mapping) throw Error(key, "must be a mapping of keys (see models/yolox_nano.yaml)");
        return new YamlSection(_file, KeyPath(key) + ".", mapping, knownKeys);
    }

    public int RequiredInt(string key, int min, int max)
    {
        var text = RequiredString(key);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error(key, $"'{text}' is not a whole number; write e.g. '{Example(key)}'");
        if (value < min || value > max) throw Error(key, $"is {value}; it must be between {min} and {max}");
        return value;
    }

    public float RequiredPositiveFloat(string key)
    {
        var text = RequiredString(key);
        var value = ParseFloat(key, text);
        if (!(value > 0f) || float.IsInfinity(value)) throw Error(key, $"is {text}; it must be a number above 0");
        return value;
    }

    public IReadOnlyList<float>? OptionalFloatTriple(string key, bool nonZero)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is not YamlSequenceNode sequence || sequence.Children.Count != 3)
            throw Error(key, "must be a list of 3 numbers, one per input channel, e.g. [0, 0, 0]");
        var values = new float[3];
        for (int i = 0; i < 3; i++)
        {
            var text = (sequence.Children[i] as YamlScalarNode)?.Value ?? "";
            values[i] = ParseFloat(key, text);
            if (nonZero && values[i] == 0f) throw Error(key, "must not contain 0 (values are divided by it)");
        }
        return values;
    }

    public IReadOnlyList<int>? OptionalPositiveIntList(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            throw Error(key, $"must be a list of whole numbers, e.g. [8, 16, 32]");
        var values = new int[sequence.Children.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var text = (sequence.Children[i] as YamlScalarNode)?.Value ?? "";
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
                throw Error(key, $"entry '{text}' is not a whole number above 0; write e.g. [8, 16, 32]");
        }
        return values;
    }

    public TEnum RequiredEnum<TEnum>(string key, IReadOnlyList<(string Wire, TEnum Value)> choices)
    {
        var text = RequiredString(key);
        foreach (var (wire, value) in choices)
            if (string.Equals(wire, text, StringComparison.OrdinalIgnoreCase)) return value;
        throw Error(key, $"'{text}' is not known; use {Alternatives(choices.Select(c => c.Wire).ToList())}");
    }

    private static string Alternatives(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];

    private float ParseFloat(string key, string text)
    {
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || float.IsNaN(value))
            throw Error(key, $"'{text}' is not a number");
        return value;
    }

    private ModelLoadException Missing(string key)
    {
        var example = Example(key);
        return Error(key, example.Length == 0
            ? "is missing; add it (see models/yolox_nano.yaml)"
            : $"is missing; add it (e.g. '{example}'; see models/yolox_nano.yaml)");
    }

    private string Example(string key) => Examples.TryGetValue(KeyPath(key), out var example) ? example : "";

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.SingleQuoted and not YamlDotNet.Core.ScalarStyle.DoubleQuoted, Value: null or "" or "~" or "null" };
}
