using Vision.Rules.Schedules;

namespace Vision.Rules.Tests.Schedules;

public sealed class ScheduleTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    private static Schedule Make(string times, DayOfWeek[]? days = null, DateOnly[]? holidays = null, DateOnly[]? workdays = null, TimeZoneInfo? zone = null)
    {
        var ranges = new List<TimeOfDayRange>();
        foreach (var text in times.Split(','))
        {
            Assert.True(TimeOfDayRange.TryParse(text, out var range), text);
            ranges.Add(range);
        }
        return new Schedule
        {
            Name = "test",
            TimeZone = zone ?? Shanghai,
            TimeRanges = ranges,
            Days = days is null ? Schedule.EveryDayOfWeek : new HashSet<DayOfWeek>(days),
            Holidays = new HashSet<DateOnly>(holidays ?? []),
            ExtraWorkdays = new HashSet<DateOnly>(workdays ?? []),
        };
    }

    /// <summary>An instant given as Shanghai wall-clock time.</summary>
    private static DateTimeOffset Local(int month, int day, int hour, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, ShanghaiOffset);

    [Fact]
    public void Range_start_is_inclusive_and_end_is_exclusive()
    {
        var daytime = Make("07:00-21:00");
        Assert.False(daytime.IsActive(Local(6, 3, 6, 59, 59)));
        Assert.True(daytime.IsActive(Local(6, 3, 7, 0)));
        Assert.True(daytime.IsActive(Local(6, 3, 20, 59, 59)));
        Assert.False(daytime.IsActive(Local(6, 3, 21, 0)));
    }

    [Fact]
    public void Whole_day_range_covers_the_last_second_before_midnight()
    {
        var allDay = Make("00:00-24:00");
        Assert.True(allDay.IsActive(Local(6, 3, 0, 0)));
        Assert.True(allDay.IsActive(Local(6, 3, 23, 59, 59)));
    }

    [Fact]
    public void Default_schedule_is_always_on()
    {
        var always = new Schedule { Name = "always", TimeZone = Shanghai };
        Assert.True(always.IsActive(Local(1, 1, 0, 0)));
        Assert.True(always.IsActive(Local(12, 31, 23, 59, 59)));
    }

    [Fact]
    public void Range_crossing_midnight_continues_into_the_next_morning()
    {
        var night = Make("22:00-02:00", days: [DayOfWeek.Friday]);
        // 2026-06-05 is a Friday.
        Assert.False(night.IsActive(Local(6, 5, 21, 59)));
        Assert.True(night.IsActive(Local(6, 5, 22, 0)));
        Assert.True(night.IsActive(Local(6, 5, 23, 30)));
        Assert.True(night.IsActive(Local(6, 6, 1, 0)));    // Saturday 01:00 belongs to Friday night
        Assert.True(night.IsActive(Local(6, 6, 1, 59, 59)));
        Assert.False(night.IsActive(Local(6, 6, 2, 0)));   // end exclusive
        Assert.False(night.IsActive(Local(6, 6, 23, 0)));  // Saturday night is not on
        Assert.False(night.IsActive(Local(6, 5, 1, 0)));   // Friday 01:00 belongs to Thursday night
    }

    [Fact]
    public void Holiday_on_the_start_day_switches_off_the_after_midnight_tail()
    {
        var night = Make("22:00-02:00", days: [DayOfWeek.Friday], holidays: [new DateOnly(2026, 6, 19)]);
        Assert.False(night.IsActive(Local(6, 19, 23, 0)));
        Assert.False(night.IsActive(Local(6, 20, 1, 0)));
        Assert.True(night.IsActive(Local(6, 27, 1, 0)));  // the next Friday night is on again
    }

    [Fact]
    public void Holiday_switches_a_weekday_off()
    {
        var weekdays = Make("07:00-21:00", days: [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
            holidays: [new DateOnly(2026, 10, 1)]);
        Assert.False(weekdays.IsActive(Local(10, 1, 10, 0)));  // Thursday, National Day
        Assert.True(weekdays.IsActive(Local(9, 24, 10, 0)));   // the Thursday before
    }

    [Fact]
    public void Make_up_workday_switches_a_weekend_day_on()
    {
        var weekdays = Make("07:00-21:00", days: [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
            workdays: [new DateOnly(2026, 9, 20)]);
        Assert.True(weekdays.IsActive(Local(9, 20, 10, 0)));   // Sunday 调休 working day
        Assert.False(weekdays.IsActive(Local(9, 20, 6, 0)));   // still only within the time ranges
        Assert.False(weekdays.IsActive(Local(9, 13, 10, 0)));  // an ordinary Sunday
    }

    [Fact]
    public void Instant_is_judged_in_the_schedules_time_zone()
    {
        // 2026-06-02 23:30 UTC is 07:30 on 2026-06-03 in Shanghai.
        var instant = new DateTimeOffset(2026, 6, 2, 23, 30, 0, TimeSpan.Zero);
        Assert.True(Make("07:00-21:00").IsActive(instant));
        Assert.False(Make("07:00-21:00", zone: TimeZoneInfo.Utc).IsActive(instant));
    }

    [Fact]
    public void Day_of_week_is_the_local_one_not_the_utc_one()
    {
        // 2026-06-05 20:00 UTC is Saturday 04:00 in Shanghai.
        var instant = new DateTimeOffset(2026, 6, 5, 20, 0, 0, TimeSpan.Zero);
        Assert.False(Make("00:00-24:00", days: [DayOfWeek.Friday]).IsActive(instant));
        Assert.True(Make("00:00-24:00", days: [DayOfWeek.Saturday]).IsActive(instant));
    }

    [Fact]
    public void Daylight_saving_zone_keeps_the_local_wall_clock_range()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var morning = Make("08:00-09:00", zone: berlin);
        // Winter, UTC+1: 07:30 UTC is 08:30 local.
        Assert.True(morning.IsActive(new DateTimeOffset(2026, 1, 15, 7, 30, 0, TimeSpan.Zero)));
        // Summer, UTC+2: 07:30 UTC is 09:30 local, 06:30 UTC is 08:30 local.
        Assert.False(morning.IsActive(new DateTimeOffset(2026, 7, 15, 7, 30, 0, TimeSpan.Zero)));
        Assert.True(morning.IsActive(new DateTimeOffset(2026, 7, 15, 6, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Range_spanning_the_spring_forward_gap_ends_at_local_time()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var earlyHours = Make("01:00-04:00", zone: berlin);
        // 2026-03-29: clocks jump from 02:00 CET to 03:00 CEST at 01:00 UTC.
        Assert.True(earlyHours.IsActive(new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero)));  // 01:30 CET
        Assert.True(earlyHours.IsActive(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero)));  // 03:30 CEST
        Assert.False(earlyHours.IsActive(new DateTimeOffset(2026, 3, 29, 2, 0, 0, TimeSpan.Zero)));  // 04:00 CEST
    }

    [Fact]
    public void Several_ranges_each_count()
    {
        var rushHours = Make("07:00-09:00,17:00-19:00");
        Assert.True(rushHours.IsActive(Local(6, 3, 8, 0)));
        Assert.False(rushHours.IsActive(Local(6, 3, 12, 0)));
        Assert.True(rushHours.IsActive(Local(6, 3, 18, 0)));
    }

    [Theory]
    [InlineData("07:00-21:00", "07:00", "21:00", false)]
    [InlineData("7:00-9:30", "07:00", "09:30", false)]
    [InlineData("22:00-02:00", "22:00", "02:00", true)]
    [InlineData("00:00-24:00", "00:00", "24:00", false)]
    [InlineData(" 08:00 - 08:00 ", "08:00", "08:00", true)]
    public void Time_range_parses(string text, string start, string end, bool crossesMidnight)
    {
        Assert.True(TimeOfDayRange.TryParse(text, out var range));
        Assert.Equal($"{start}-{end}", range.ToString());
        Assert.Equal(crossesMidnight, range.CrossesMidnight);
    }

    [Theory]
    [InlineData("25:00-26:00")]
    [InlineData("7-9")]
    [InlineData("07:00")]
    [InlineData("24:00-02:00")]
    [InlineData("07:60-08:00")]
    [InlineData("07:00-24:30")]
    [InlineData("-07:00-08:00")]
    [InlineData("")]
    public void Malformed_time_range_does_not_parse(string text)
    {
        Assert.False(TimeOfDayRange.TryParse(text, out _));
    }
}
