using Vision.Rules.Config;

namespace Vision.Rules.Evaluation;

/// <summary>
/// One open episode as it stands: whose it is and since when its dwell runs (for drawing its clock on a trace video).
/// <paramref name="Confirmed"/> is true once it became a case while the object is still there.
/// </summary>
public readonly record struct DwellClock(long EpisodeId, RuleDefinition Rule, string ZoneId, int TrackId, DateTimeOffset StartedAt, bool Confirmed);
