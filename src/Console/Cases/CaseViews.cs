using Vision.Rules;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>One case of the queue (<c>GET /api/cases</c>).</summary>
internal sealed record CaseRow(
    string CaseId, string CameraId, string CameraName, string Violation, string ViolationName, string ZoneId, string ZoneName, DateTime ConfirmedAt,
    string? ConfirmedAtLocal, string Status, double Confidence, string? Plate, long Version, string? PhotoUrl);

/// <summary>A page of the queue: how many cases match, per status, and this page's rows.</summary>
internal sealed record CasePage(int Total, long Page, int PageSize, IReadOnlyDictionary<string, int> Counts, IEnumerable<CaseRow> Items);

/// <summary>One case as its page shows it (<c>GET /api/cases/{id}</c>, and the answer to a decision).</summary>
internal sealed record CaseDetail(
    string CaseId, string CameraId, string CameraName, string? Address, double? Longitude, double? Latitude, string? GridCode,
    string Violation, string ViolationName, string ZoneId, string ZoneName, CaseRule Rule, DateTime StartedAt, DateTime ConfirmedAt, string? ConfirmedAtLocal,
    double DwellSeconds, double Confidence, string? ObjectClass, string? ObjectClassName, string Status, string? StatusReason, string? StatusNote,
    CaseClip? Clip, string? ClipError, IReadOnlyList<CasePhoto> Photos, PlateView? Plate, CaseTimeline Timeline, long Version,
    IEnumerable<CaseStep> History, CaseDelivery? Dispatch);

/// <summary>The rule that made a case, as configured now (null fields when the rule is gone from the config).</summary>
internal sealed record CaseRule(
    string Id, string? Name, string Type, string? Version, double? DwellSeconds, double? CooldownSeconds, float? MinConfidence,
    IReadOnlyList<string>? Classes, IEnumerable<string>? ClassNames, IReadOnlyList<string>? Zones, IEnumerable<string>? ZoneNames, string? Schedule);

internal sealed record CaseClip(string Url, int StartSeconds, double DurationSeconds, double ConfirmationOffsetSeconds);

internal sealed record CasePhoto(string Url, string Role, string? TakenAt);

/// <summary>The plate as the case page shows it: text (or null and why) and confidence.</summary>
internal sealed record PlateView(string? Text, double Confidence, string? Reason);

/// <summary>
/// The episode starts when the object settles in the zone; it is a violation once the dwell has passed, which is the
/// moment it was confirmed. Times as the record wrote them (the camera's local time).
/// </summary>
internal sealed record CaseTimeline(string? FirstSeenAt, string? ViolationAt, string? ConfirmedAt);

/// <summary>One step of a case's history: who decided what, when, from where, and what it replaced.</summary>
internal sealed record CaseStep(string Status, DateTime At, string? Actor, string? Reason, string? Note, string? Address, string? ChangedFrom, string? ChangeReason);

/// <summary>The case's delivery to the dispatch core.</summary>
internal sealed record CaseDelivery(string State, int Attempts, string? LastError);

/// <summary>The shapes the console's pages and the integration API use for cases, built from the case store.</summary>
internal static class CaseViews
{
    public static CaseRow Row(StoredCase c, VisionConfig config, EvidenceLinks links)
    {
        var record = StoredCaseRecord.Of(c.Record);
        string? photo = record.Photos.LastOrDefault()?.File;
        return new CaseRow(c.CaseId, c.CameraId, record.CameraName ?? c.CameraId, c.Violation, Glossary.ViolationName(c.Violation),
            c.ZoneId, Glossary.ZoneName(config.FindCamera(c.CameraId), c.ZoneId), c.ConfirmedAt.UtcDateTime, record.ConfirmedAtLocal,
            c.Status.ToWire(), c.Confidence, c.Plate, c.Version, photo is null ? null : links.For(c.CaseId, photo));
    }

    public static CaseDetail Detail(StoredCase c, IReadOnlyList<CaseHistoryEntry> history, OutboxMessage? delivery, VisionConfig config, EvidenceLinks links)
    {
        var record = StoredCaseRecord.Of(c.Record);
        var camera = config.FindCamera(c.CameraId);
        var rule = camera?.Rules.FirstOrDefault(x => x.Id == c.RuleId);
        var clip = record.Clip is { } recorded
            ? new CaseClip(links.For(c.CaseId, recorded.File), 0, recorded.DurationSeconds,
                Math.Clamp(Math.Round((c.ConfirmedAt - recorded.Start).TotalSeconds, 2), 0, recorded.DurationSeconds))
            : null;
        var location = camera?.Location ?? CameraLocation.Unknown;
        return new CaseDetail(
            c.CaseId, c.CameraId, camera?.Name ?? record.CameraName ?? c.CameraId,
            location.Address, location.Longitude, location.Latitude, location.GridCode,
            c.Violation, Glossary.ViolationName(c.Violation), c.ZoneId, Glossary.ZoneName(camera, c.ZoneId),
            new CaseRule(c.RuleId, rule?.Name ?? record.RuleName, c.Violation, record.RuleVersion, rule?.Dwell.TotalSeconds, rule?.Cooldown.TotalSeconds,
                rule?.MinConfidence, rule?.Classes, rule?.Classes.Select(Glossary.ObjectClassName), rule?.ZoneIds,
                rule?.ZoneIds.Select(z => Glossary.ZoneName(camera, z)), rule?.ScheduleName),
            c.StartedAt.UtcDateTime, c.ConfirmedAt.UtcDateTime, record.ConfirmedAtLocal,
            record.DwellSeconds ?? (c.ConfirmedAt - c.StartedAt).TotalSeconds,
            c.Confidence, record.ObjectClass, record.ObjectClass is null ? null : Glossary.ObjectClassName(record.ObjectClass),
            c.Status.ToWire(), c.StatusReason, c.StatusNote,
            clip, record.ClipError,
            record.Photos.Select(p => new CasePhoto(links.For(c.CaseId, p.File), p.Role, p.TakenAt)).ToList(),
            record.Plate,
            new CaseTimeline(record.StartedAtLocal, record.ConfirmedAtLocal, record.ConfirmedAtLocal),
            c.Version,
            history.Select(h => new CaseStep(h.Status.ToWire(), h.At.UtcDateTime, h.Actor, h.Reason, h.Note, h.Address, h.ChangedFrom?.ToWire(), h.ChangeReason)),
            delivery is null ? null : new CaseDelivery(Outbox.Wire(delivery.State), delivery.Attempts, delivery.LastError));
    }
}
