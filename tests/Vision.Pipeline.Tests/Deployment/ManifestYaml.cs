using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vision.Pipeline.Tests.Deployment;

/// <summary>Reads the YAML documents of a manifest file and walks them by key, failing the test with the path that is missing.</summary>
internal static class ManifestYaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    public static YamlMappingNode Single(string path) => Assert.Single(Documents(path));

    /// <summary>The node at <paramref name="keys"/> (mapping keys; a number indexes a sequence).</summary>
    public static YamlNode At(this YamlNode node, params string[] keys)
    {
        var current = node;
        var walked = new List<string>();
        foreach (var key in keys)
        {
            walked.Add(key);
            current = current switch
            {
                YamlMappingNode map when map.Children.TryGetValue(new YamlScalarNode(key), out var child) => child,
                YamlSequenceNode list when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < list.Children.Count => list.Children[i],
                _ => throw new Xunit.Sdk.XunitException($"manifest has no {string.Join('.', walked)}"),
            };
        }
        return current;
    }

    public static YamlNode? Find(this YamlNode node, params string[] keys)
    {
        try { return node.At(keys); }
        catch (Xunit.Sdk.XunitException) { return null; }
    }

    public static string Text(this YamlNode node, params string[] keys) =>
        node.At(keys) is YamlScalarNode { Value: { } value } ? value : throw new Xunit.Sdk.XunitException($"{string.Join('.', keys)} is not a scalar");

    public static IEnumerable<YamlNode> Items(this YamlNode node, params string[] keys) =>
        node.At(keys) is YamlSequenceNode list ? list.Children : throw new Xunit.Sdk.XunitException($"{string.Join('.', keys)} is not a list");

    public static IReadOnlyDictionary<string, string> Map(this YamlNode node, params string[] keys) =>
        node.At(keys) is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "", StringComparer.Ordinal)
            : throw new Xunit.Sdk.XunitException($"{string.Join('.', keys)} is not a mapping");

    /// <summary>A Kubernetes quantity in bytes: 24Gi, 512Mi, 1G or a plain number.</summary>
    public static long Bytes(string quantity)
    {
        (string suffix, long factor)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000)];
        foreach (var (suffix, factor) in units)
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
                return long.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }
}
