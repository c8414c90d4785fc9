using Vision.Models;
using Vision.Rules.Config;

namespace Vision.Rules.Evaluation;

/// <summary>What happened to a violation episode in the frame just evaluated.</summary>
public enum EpisodeEventKind
{
    /// <summary>An object began to meet every condition of a rule: the dwell clock starts now (first photo).</summary>
    Started,
    /// <summary>Half the dwell has passed (middle photo).</summary>
    Midway,
    /// <summary>The dwell has passed: this is a violation and becomes a case (confirmation photo).</summary>
    Confirmed,
    /// <summary>The object no longer meets the conditions, or left; the episode is over.</summary>
    Ended,
}

/// <summary>One step of one violation episode: an object under one rule, from the moment it meets every condition until it stops.</summary>
public sealed record EpisodeEvent(
    EpisodeEventKind Kind,
    long EpisodeId,
    RuleDefinition Rule,
    string ZoneId,
    int TrackId,
    int ClassId,
    float Score,
    BoundingBox Box,
    DateTimeOffset StartedAt,
    DateTimeOffset At,
    bool WasConfirmed)
{
    /// <summary>
    /// Set on a confirmation in a spot where this rule already reported a case (another track, within the cooldown),
    /// when plates decide turnover: when that case was reported. The case path compares plates: the same vehicle
    /// (or an unreadable plate) raises nothing; a different vehicle is a new case.
    /// </summary>
    public DateTimeOffset? SameSpotReportedAt { get; init; }
}
