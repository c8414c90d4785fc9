using System.Collections.Frozen;

namespace Vision.Rules.Schedules;

/// <summary>When a rule is active: days of week and time-of-day ranges in a named time zone, minus holidays, plus extra working days.</summary>
public sealed class Schedule
{
    private static readonly TimeOfDayRange[] AllDayOnly = [TimeOfDayRange.AllDay];

    /// <summary>All seven days, the default for <see cref="Days"/>.</summary>
    public static IReadOnlySet<DayOfWeek> EveryDayOfWeek { get; } = Enum.GetValues<DayOfWeek>().ToFrozenSet();

    public required string Name { get; init; }
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>Days of the week on which the schedule is on (local to <see cref="TimeZone"/>); every day by default.</summary>
    public IReadOnlySet<DayOfWeek> Days { get; init; } = EveryDayOfWeek;

    /// <summary>Windows of the day during which it is on; the whole day by default. A window that crosses midnight belongs to the day it starts on.</summary>
    public IReadOnlyList<TimeOfDayRange> TimeRanges { get; init; } = AllDayOnly;

    /// <summary>Local dates on which the schedule is off whatever the day of week.</summary>
    public IReadOnlySet<DateOnly> Holidays { get; init; } = FrozenSet<DateOnly>.Empty;

    /// <summary>Local dates on which it is on even if <see cref="Days"/> leaves them out (China's 调休 make-up working days).</summary>
    public IReadOnlySet<DateOnly> ExtraWorkdays { get; init; } = FrozenSet<DateOnly>.Empty;

    /// <summary>True when the rule applies at this instant.</summary>
    public bool IsActive(DateTimeOffset instant)
    {
        var local = System.TimeZoneInfo.ConvertTime(instant, TimeZone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var timeOfDay = local.TimeOfDay;
        var ranges = TimeRanges;
        bool? todayOn = null;
        bool? yesterdayOn = null;
        for (int i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            if (timeOfDay >= range.Start && (range.CrossesMidnight || timeOfDay < range.End))
            {
                todayOn ??= IsOnDay(today);
                if (todayOn.Value) return true;
            }
            else if (range.CrossesMidnight && timeOfDay < range.End)
            {
                // The after-midnight tail of a window that opened yesterday counts only if yesterday was on.
                yesterdayOn ??= IsOnDay(today.AddDays(-1));
                if (yesterdayOn.Value) return true;
            }
        }
        return false;
    }

    /// <summary>True when the schedule's windows open on this local date: not a holiday, and a chosen weekday or an extra workday.</summary>
    public bool IsOnDay(DateOnly date)
    {
        if (Holidays.Contains(date)) return false;
        if (ExtraWorkdays.Contains(date)) return true;
        return Days.Contains(date.DayOfWeek);
    }
}
