using System.Globalization;

namespace Vision.Rules.Schedules;

/// <summary>A daily time window "HH:MM-HH:MM", start inclusive, end exclusive; an end at or before the start runs past midnight into the next day.</summary>
public readonly record struct TimeOfDayRange
{
    public TimeOfDayRange(TimeSpan start, TimeSpan end)
    {
        if (start < TimeSpan.Zero || start >= TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(start), start, "start must be within 00:00..23:59");
        if (end < TimeSpan.Zero || end > TimeSpan.FromDays(1)) throw new ArgumentOutOfRangeException(nameof(end), end, "end must be within 00:00..24:00");
        Start = start;
        End = end;
    }

    public const string Examples = "\"07:00-21:00\", \"22:00-02:00\" (crosses midnight) or \"00:00-24:00\"";

    /// <summary>The whole day, 00:00-24:00.</summary>
    public static TimeOfDayRange AllDay { get; } = new(TimeSpan.Zero, TimeSpan.FromDays(1));

    /// <summary>Time of day the window opens (inclusive).</summary>
    public TimeSpan Start { get; }

    /// <summary>Time of day the window closes (exclusive); 24:00 is the end of the day.</summary>
    public TimeSpan End { get; }

    /// <summary>True when the window runs past midnight and its tail belongs to the day it started on.</summary>
    public bool CrossesMidnight => End <= Start;

    /// <summary>Parses "HH:MM-HH:MM" (hours may have one digit; the end may be 24:00).</summary>
    public static bool TryParse(string text, out TimeOfDayRange range)
    {
        range = default;
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return false;
        if (!TryParseTime(text.AsSpan(0, dash).Trim(), allowEndOfDay: false, out var start)) return false;
        if (!TryParseTime(text.AsSpan(dash + 1).Trim(), allowEndOfDay: true, out var end)) return false;
        range = new TimeOfDayRange(start, end);
        return true;
    }

    public override string ToString() => $"{Format(Start)}-{Format(End)}";

    private static string Format(TimeSpan t) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}");

    private static bool TryParseTime(ReadOnlySpan<char> s, bool allowEndOfDay, out TimeSpan time)
    {
        time = default;
        int colon = s.IndexOf(':');
        if (colon is < 1 or > 2 || s.Length - colon - 1 != 2) return false;
        if (!int.TryParse(s[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int hours)) return false;
        if (!int.TryParse(s[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int minutes)) return false;
        if (minutes > 59) return false;
        if (hours == 24 && minutes == 0 && allowEndOfDay)
        {
            time = TimeSpan.FromDays(1);
            return true;
        }
        if (hours > 23) return false;
        time = new TimeSpan(hours, minutes, 0);
        return true;
    }
}
