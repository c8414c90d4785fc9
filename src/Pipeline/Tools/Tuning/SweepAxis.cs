using System.Globalization;
using Vision.Pipeline.Tools.Replay;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>Which part of the config a swept key changes.</summary>
internal enum SweepTarget { Rule, Tracker, Analysis }

/// <summary>One value of a swept key: as written, and as a number (durations in seconds; for <c>analysis.tiles</c>, the tile count, 0 for off).</summary>
internal readonly record struct SweepValue(string Text, double Number)
{
    /// <summary>An <c>analysis.tiles</c> value's grid; null for off (and for every other key).</summary>
    public (int Columns, int Rows)? TileGrid { get; init; }
}

/// <summary>
/// One swept key and the values it takes (<c>--set rule.dwell=10s,20s</c>): a rule key for every labelled rule or, as
/// <c>rule.&lt;id&gt;.&lt;key&gt;</c>, for one; a tracker key; or <c>analysis.fps</c> or <c>analysis.tiles</c>, which change detection.
/// </summary>
internal sealed record SweepAxis(string Key, SweepTarget Target, string? RuleId, string Name, IReadOnlyList<SweepValue> Values, string Origin)
{
    public static readonly IReadOnlyList<string> RuleKeys = ["min_confidence", "dwell", "max_motion", "near_distance"];
    public static readonly IReadOnlyList<string> TrackerKeys = ["high_score", "low_score", "match_iou", "lost_timeout"];
    public static readonly IReadOnlyList<string> AnalysisKeys = ["fps", "tiles"];

    /// <summary>The <c>analysis.tiles</c> value for detecting without tiles.</summary>
    public const string TilesOff = "off";

    /// <summary>True when the key changes what is detected, so each value needs its own decode and detection.</summary>
    public bool ChangesDetection => Target == SweepTarget.Analysis;

    /// <summary>Parses <c>KEY=v1,v2,…</c> as given to <c>--set</c>.</summary>
    public static SweepAxis ParseSet(string text)
    {
        string origin = $"--set {text}";
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new UsageException($"{origin}: write KEY=v1,v2,…, e.g. --set rule.dwell=10s,20s,30s");
        var values = text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries);
        return Parse(text[..eq].Trim(), values, origin);
    }

    /// <summary>Parses one key and its values; a mistake names <paramref name="origin"/> (the --set, or the grid file's line).</summary>
    public static SweepAxis Parse(string key, IReadOnlyList<string> values, string origin)
    {
        var parts = key.Split('.');
        SweepTarget target;
        string? ruleId = null;
        string name = parts[^1];
        switch (parts[0])
        {
            case "rule" when parts.Length >= 2:
                target = SweepTarget.Rule;
                if (parts.Length > 2) ruleId = string.Join('.', parts[1..^1]);
                Require(RuleKeys, name, key, origin);
                break;
            case "tracker" when parts.Length == 2:
                target = SweepTarget.Tracker;
                Require(TrackerKeys, name, key, origin);
                break;
            case "analysis" when parts.Length == 2:
                target = SweepTarget.Analysis;
                Require(AnalysisKeys, name, key, origin);
                break;
            default:
                throw new UsageException($"{origin}: '{key}' is not a key tune can sweep: use rule.KEY or rule.<id>.KEY ({string.Join(", ", RuleKeys)}), tracker.KEY ({string.Join(", ", TrackerKeys)}) or analysis.KEY ({string.Join(", ", AnalysisKeys)})");
        }
        if (values.Count == 0 || values.Any(v => v.Length == 0))
            throw new UsageException($"{origin}: '{key}' needs values separated by commas, none empty");
        var parsed = new List<SweepValue>(values.Count);
        foreach (var value in values)
        {
            var v = ParseValue(name, value, key, origin);
            if (parsed.Any(p => p.Number == v.Number && p.TileGrid == v.TileGrid)) throw new UsageException($"{origin}: '{key}' lists {value} twice");
            parsed.Add(v);
        }
        return new SweepAxis(key, target, ruleId, name, parsed, origin);
    }

    private static void Require(IReadOnlyList<string> known, string name, string key, string origin)
    {
        if (!known.Contains(name))
            throw new UsageException($"{origin}: '{key}': {name} is not a key tune can sweep here: use one of {string.Join(", ", known)}");
    }

    /// <summary>The same checks as the config loader makes for the key, so a sweep never runs a setting the config would refuse.</summary>
    private static SweepValue ParseValue(string name, string text, string key, string origin)
    {
        string bad(string why) => $"{origin}: {key}={text}: {why}";
        if (name is "dwell" or "lost_timeout")
        {
            if (!ConfigDuration.TryParse(text, out var duration)) throw new UsageException(bad($"not a duration: write e.g. {ConfigDuration.Examples}"));
            if (duration <= TimeSpan.Zero) throw new UsageException(bad($"{name} must be > 0"));
            return new SweepValue(ConfigDuration.Format(duration), duration.TotalSeconds);
        }
        if (name == "tiles")
        {
            if (text == TilesOff) return new SweepValue(TilesOff, 0);
            if (!TilesConfig.TryParseGrid(text, out int columns, out int rows)) throw new UsageException(bad($"{TilesConfig.NotAGrid(text)}, or {TilesOff}"));
            return new SweepValue($"{columns}x{rows}", columns * rows) { TileGrid = (columns, rows) };
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number))
            throw new UsageException(bad("not a number"));
        string? why = name switch
        {
            "min_confidence" or "high_score" or "low_score" or "match_iou" => number is >= 0 and <= 1 ? null : $"{name} must be between 0 and 1",
            "max_motion" => number > 0 ? null : "max_motion must be > 0 (a fraction of the object's size)",
            "near_distance" => number >= 0 ? null : "near_distance must be >= 0 (gap between the boxes, in multiples of the nearby object's larger side)",
            "fps" => number is > 0 and <= 30 ? null : "fps must be > 0 and <= 30 (frames analysed per second)",
            _ => null,
        };
        if (why is not null) throw new UsageException(bad(why));
        return new SweepValue(text, number);
    }
}
