using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vision.Rules.Schedules;

namespace Vision.Rules.Config;

/// <summary>Default rule version: a short hash of everything that decides what the rule flags, so cases can say which definition produced them.</summary>
internal static class RuleVersion
{
    /// <summary>First 8 hex characters of SHA-256 over the rule's normalised definition, its zones' polygons and its schedule.</summary>
    /// <remarks>Id and display name are left out: renaming a rule does not change what it detects. Lists whose order has no meaning are sorted.</remarks>
    public static string Compute(RuleDefinition rule, IReadOnlyList<Zone> zones, Schedule? schedule, bool includeHold = false)
    {
        var text = Normalise(rule, zones, schedule);
        if (includeHold) text += string.Create(CultureInfo.InvariantCulture, $"hold_confidence={rule.HoldConfidence:R}\n");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 4));
    }

    internal static string Normalise(RuleDefinition rule, IReadOnlyList<Zone> zones, Schedule? schedule)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"type={rule.Type.ToWire()}\n");
        sb.Append(inv, $"classes={string.Join(',', Sorted(rule.Classes))}\n");
        sb.Append(inv, $"zones={string.Join(',', Sorted(rule.ZoneIds))}\n");
        var sortedZones = new List<Zone>(zones);
        sortedZones.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (var zone in sortedZones)
        {
            sb.Append(inv, $"zone {zone.Id}=");
            foreach (var p in zone.Polygon.Points) sb.Append(inv, $"({p.X:R},{p.Y:R})");
            sb.Append('\n');
        }
        sb.Append(inv, $"min_confidence={rule.MinConfidence:R}\n");
        sb.Append(inv, $"min_box_size={rule.MinBoxSize:R}\n");
        sb.Append(inv, $"dwell={rule.Dwell.Ticks}\n");
        sb.Append(inv, $"cooldown={rule.Cooldown.Ticks}\n");
        sb.Append(inv, $"anchor={rule.Anchor}\n");
        sb.Append(inv, $"max_motion={rule.MaxMotion:R}\n");
        sb.Append(inv, $"near_classes={string.Join(',', Sorted(rule.NearClasses))}\n");
        sb.Append(inv, $"near_distance={rule.NearDistance:R}\n");
        // Only near objects stay or pass; a rule without them keeps the version it had before the key existed.
        if (rule.NearClasses.Count > 0) sb.Append(inv, $"attend_time={rule.AttendTime.Ticks}\n");
        if (schedule is not null)
        {
            sb.Append(inv, $"schedule={schedule.Name}\n");
            sb.Append(inv, $"schedule.timezone={schedule.TimeZone.Id}\n");
            var days = new List<int>();
            foreach (var day in schedule.Days) days.Add((int)day);
            days.Sort();
            sb.Append(inv, $"schedule.days={string.Join(',', days)}\n");
            var ranges = new List<string>();
            foreach (var range in schedule.TimeRanges) ranges.Add(range.ToString());
            ranges.Sort(StringComparer.Ordinal);
            sb.Append(inv, $"schedule.times={string.Join(',', ranges)}\n");
            sb.Append(inv, $"schedule.holidays={Dates(schedule.Holidays)}\n");
            sb.Append(inv, $"schedule.workdays={Dates(schedule.ExtraWorkdays)}\n");
        }
        return sb.ToString();
    }

    private static List<string> Sorted(IReadOnlyList<string> values)
    {
        var list = new List<string>(values);
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static string Dates(IReadOnlySet<DateOnly> dates)
    {
        var list = new List<DateOnly>(dates);
        list.Sort();
        var texts = new List<string>(list.Count);
        foreach (var date in list) texts.Add(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return string.Join(',', texts);
    }
}
