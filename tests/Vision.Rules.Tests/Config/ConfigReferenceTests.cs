using System.Reflection;
using System.Text.RegularExpressions;
using Vision.Rules.Config;

namespace Vision.Rules.Tests.Config;

/// <summary>docs/config.md against <see cref="ConfigSchema"/>: every declared key documented, with the declared type, limits and default.</summary>
public sealed partial class ConfigReferenceTests
{
    private static readonly string ReferencePath = Path.Combine(SharedData.ProjectRoot, "docs", "config.md");

    [Fact]
    public void Every_declared_key_is_documented_with_its_declared_limits_and_default()
    {
        var tables = ReadTables(File.ReadAllLines(ReferencePath));
        var problems = new List<string>();
        foreach (var section in Sections())
        {
            if (!tables.TryGetValue(section.DocHeading, out var rows))
            {
                problems.Add($"no table under '{section.DocHeading}'");
                continue;
            }
            foreach (var entry in section.Entries)
            {
                string name = section.DocKeyPrefix + entry.Key;
                if (!rows.TryGetValue(name, out var row))
                {
                    if (!rows.Keys.Any(k => k.StartsWith(name + ".", StringComparison.Ordinal)))
                        problems.Add($"{section.DocHeading}: '{name}' is declared but not documented");
                    continue;
                }
                if (entry.TypeText is { } type && !Begins(row.Type, type))
                    problems.Add($"{section.DocHeading}: '{name}' is documented as '{row.Type}', declared as '{type}'");
                if (entry.DefaultText is { } value && !Begins(row.Default, $"`{value}`"))
                    problems.Add($"{section.DocHeading}: '{name}' defaults to '{row.Default}' in the reference, to `{value}` in the declaration");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_documented_key_is_declared()
    {
        var tables = ReadTables(File.ReadAllLines(ReferencePath));
        var problems = new List<string>();
        foreach (var group in Sections().GroupBy(s => s.DocHeading))
        {
            var declared = group.SelectMany(s => s.Keys.Select(k => s.DocKeyPrefix + k)).ToHashSet(StringComparer.Ordinal);
            foreach (var documented in tables[group.Key].Keys)
                if (!declared.Contains(documented))
                    problems.Add($"{group.Key}: '{documented}' is documented but not declared");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Per_type_rule_defaults_in_the_reference_are_the_rule_types_defaults()
    {
        var lines = File.ReadAllLines(ReferencePath);
        int start = Array.IndexOf(lines, "Per-type defaults:");
        Assert.True(start > 0, "the reference has no 'Per-type defaults:' table");
        var columns = Cells(lines[start + 2]);
        var types = columns.Skip(1).Select(c => Enum.GetValues<ViolationType>().Single(t => $"`{t.ToWire()}`" == c)).ToArray();
        for (int i = start + 4; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = Cells(lines[i]);
            string key = cells[0].Trim('`');
            for (int t = 0; t < types.Length; t++)
                Assert.Equal($"`{DefaultOf(RuleTypeDefaults.For(types[t]), key)}`", cells[t + 1]);
        }
    }

    private static string DefaultOf(RuleTypeDefaults defaults, string key) => key switch
    {
        "classes" => $"[{string.Join(", ", defaults.Classes)}]",
        "near_classes" => $"[{string.Join(", ", defaults.NearClasses)}]",
        "dwell" => ConfigSchema.Rule.Dwell.Write(defaults.Dwell),
        "cooldown" => ConfigSchema.Rule.Cooldown.Write(defaults.Cooldown),
        "min_confidence" => ConfigSchema.Rule.MinConfidence.Write(defaults.MinConfidence),
        "max_motion" => ConfigSchema.Rule.MaxMotion.Write(defaults.MaxMotion),
        "anchor" => ConfigSchema.Rule.Anchor.Write(defaults.Anchor),
        "near_distance" => ConfigSchema.Rule.NearDistance.Write(defaults.NearDistance),
        "attend_time" => ConfigSchema.Rule.AttendTime.Write(defaults.AttendTime),
        _ => throw new InvalidOperationException($"per-type default '{key}' is not known to this test"),
    };

    // A type cell may go on after the declared part with a note: "fraction, < `high_score`", "bytes ≥ 1048576 (1 MiB)".
    private static bool Begins(string cell, string declared) =>
        cell == declared || cell.StartsWith(declared + ",", StringComparison.Ordinal) || cell.StartsWith(declared + " (", StringComparison.Ordinal);

    private static IEnumerable<ConfigSection> Sections() =>
        typeof(ConfigSchema).GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public))
            .Concat(typeof(ConfigSchema).GetFields(BindingFlags.Static | BindingFlags.Public))
            .Where(f => f.FieldType == typeof(ConfigSection))
            .Select(f => (ConfigSection)f.GetValue(null)!);

    /// <summary>The first table after each heading: key (each of "`a`, `b`") → type and default cells.</summary>
    private static Dictionary<string, Dictionary<string, (string Type, string Default)>> ReadTables(string[] lines)
    {
        var tables = new Dictionary<string, Dictionary<string, (string, string)>>(StringComparer.Ordinal);
        string? heading = null;
        Dictionary<string, (string, string)>? rows = null;
        bool inCode = false, tableDone = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            if (inCode) continue;
            if (line.StartsWith('#'))
            {
                (heading, rows, tableDone) = (line, null, false);
                continue;
            }
            if (!line.StartsWith('|'))
            {
                tableDone |= rows is not null;
                continue;
            }
            if (heading is null || tableDone) continue;
            rows ??= tables[heading] = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            var cells = Cells(line);
            if (cells.Length < 4 || !cells[0].StartsWith('`')) continue;
            foreach (Match name in KeyName().Matches(cells[0])) rows[name.Groups[1].Value] = (cells[1], cells[2]);
        }
        return tables;
    }

    private static string[] Cells(string line) =>
        CellBorder().Split(line.Trim().Trim('|')).Select(c => c.Trim()).ToArray();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellBorder();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex KeyName();
}
