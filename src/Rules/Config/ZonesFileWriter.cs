using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
        var text = new StringBuilder();
        text.Append("# Zones of camera ").Append(cameraId).Append(", saved by the Vision console's zone editor (vision.yaml includes this file with zones_file).\n");
        if (zones.Count == 0) return text.Append("[]\n").ToString();
        foreach (var zone in zones)
        {
            text.Append("- id: ").Append(Quote(zone.Id)).Append('\n');
            if (zone.Name is not null) text.Append("  name: ").Append(Quote(zone.Name)).Append('\n');
            text.Append("  polygon: [");
            for (int i = 0; i < zone.Points.Count; i++)
            {
                if (i > 0) text.Append(", ");
                // "R" is the shortest text that parses back to the same double.
                text.Append('[').Append(zone.Points[i].X.ToString("R", CultureInfo.InvariantCulture))
                    .Append(", ").Append(zone.Points[i].Y.ToString("R", CultureInfo.InvariantCulture)).Append(']');
            }
            text.Append("]\n");
        }
        return text.ToString();
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
        string temp = Path.Combine(directory, $".{Path.GetFileName(zonesFile)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Utf8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, zonesFile, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
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

    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\r': quoted.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
