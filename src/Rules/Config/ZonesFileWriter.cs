using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vision.Models;
using Vision.Rules.Zones;

namespace Vision.Rules.Config;

/// <summary>A zone as an editor sends it, not yet checked: the loader decides whether it is usable.</summary>
public sealed record ZoneDraft(string Id, string? Name, IReadOnlyList<NormalizedPoint> Points)
{
    public static ZoneDraft Of(Zone zone) => new(zone.Id, zone.Name, zone.Polygon.Points);
}

/// <summary>
/// A camera's zones file (<c>zones_file</c>) as the console writes it: a stable text the loader reads back to the same
/// zones, checked by loading the whole config with it before it replaces the file (temp file, then rename). The
/// config file itself is never written.
/// </summary>
public static class ZonesFileWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The file's text: a comment line, then one list item per zone (id, name, polygon), numbers invariant and round-trippable.</summary>
    public static string Format(string cameraId, IReadOnlyList<ZoneDraft> zones)
    {
        var yaml = new ConfigYamlWriter()
            .Comment($"Zones of camera {cameraId}, saved by the Vision console's zone editor (vision.yaml includes this file with zones_file).");
        if (zones.Count == 0) return yaml.Line("[]").ToString();
        foreach (var zone in zones)
        {
            yaml.Item().Text(ConfigSchema.Zone.Id, zone.Id);
            if (zone.Name is not null) yaml.Text(ConfigSchema.Zone.Name, zone.Name);
            yaml.Key(ConfigSchema.Zone.Polygon, Polygon(zone.Points));
        }
        return yaml.ToString();
    }

    /// <summary>"[[0.1, 0.6], ...]": "R" is the shortest text that parses back to the same double.</summary>
    private static string Polygon(IReadOnlyList<NormalizedPoint> points)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append('[').Append(points[i].X.ToString("R", CultureInfo.InvariantCulture))
                .Append(", ").Append(points[i].Y.ToString("R", CultureInfo.InvariantCulture)).Append(']');
        }
        return text.Append(']').ToString();
    }

    /// <summary>
    /// The config as it would load with <paramref name="zonesFileText"/> in the camera's zones file: the loader's own
    /// validation, so a refusal is a <see cref="ConfigException"/> with the loader's message (file:line:col, key, what to do).
    /// </summary>
    public static VisionConfig Check(string configPath, string zonesFile, string zonesFileText) =>
        VisionConfigLoader.Load(configPath, new Dictionary<string, string>(StringComparer.Ordinal) { [zonesFile] = zonesFileText });

    /// <summary>Replaces the file at once: readers (the hot reload) see the old text or the new, never part of it.</summary>
    public static void Write(string zonesFile, string text)
    {
        var directory = Path.GetDirectoryName(zonesFile)!;
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(zonesFile, Utf8.GetBytes(text));
    }

    /// <summary>What an editor loaded, to refuse a save over someone else's: a hash of the file's bytes, "none" when it does not exist.</summary>
    public static string Version(string zonesFile)
    {
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(zonesFile)))[..16];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "none";
        }
    }
}
