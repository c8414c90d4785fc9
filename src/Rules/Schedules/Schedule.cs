namespace Vision.Rules.Schedules;

/// <summary>When a rule is active: days of week and time-of-day ranges in a named time zone, minus holidays, plus extra working days.</summary>
public sealed class Schedule
{
    public required string Name { get; init; }
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>True when the rule applies at this instant.</summary>
    public bool IsActive(DateTimeOffset instant) => throw new NotImplementedException();
}
