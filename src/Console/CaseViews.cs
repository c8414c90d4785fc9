using System.Globalization;
using System.Text.Json;
using Vision.Rules;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>The JSON shapes the console's pages and the integration API use for cases, built from the case store.</summary>
internal static class CaseViews
{
    public static object Row(StoredCase c, VisionConfig config, EvidenceLinks links)
    {
        using var record = JsonDocument.Parse(c.RecordJson);
        var r = record.RootElement;
        string? photo = PhotoFiles(r).LastOrDefault().File;
        return new
        {
            caseId = c.CaseId,
            cameraId = c.CameraId,
            cameraName = Text(r, "cameraName") ?? c.CameraId,
            violation = c.Violation,
            violationName = Glossary.ViolationName(c.Violation),
            zoneId = c.ZoneId,
            zoneName = Glossary.ZoneName(config.FindCamera(c.CameraId), c.ZoneId),
            confirmedAt = c.ConfirmedAt.UtcDateTime,
            confirmedAtLocal = Text(r, "confirmedAt"),
            status = c.Status.ToWire(),
            confidence = c.Confidence,
            plate = c.Plate,
            version = c.Version,
            photoUrl = photo is null ? null : links.For(c.CaseId, photo),
        };
    }

    public static object Detail(StoredCase c, IReadOnlyList<CaseHistoryEntry> history, OutboxMessage? delivery, VisionConfig config, EvidenceLinks links)
    {
        using var record = JsonDocument.Parse(c.RecordJson);
        var r = record.RootElement;
        var camera = config.FindCamera(c.CameraId);
        var rule = camera?.Rules.FirstOrDefault(x => x.Id == c.RuleId);
        var evidence = r.GetProperty("evidence");
        object? clip = null;
        if (evidence.TryGetProperty("clip", out var clipJson) && clipJson.ValueKind == JsonValueKind.Object)
        {
            var start = DateTimeOffset.Parse(clipJson.GetProperty("start").GetString()!, CultureInfo.InvariantCulture);
            double duration = clipJson.GetProperty("durationSeconds").GetDouble();
            clip = new
            {
                url = links.For(c.CaseId, FileName(clipJson.GetProperty("file").GetString()!)),
                startSeconds = 0,
                durationSeconds = duration,
                confirmationOffsetSeconds = Math.Clamp(Math.Round((c.ConfirmedAt - start).TotalSeconds, 2), 0, duration),
            };
        }
        var photos = PhotoFiles(r).Select(p => new { url = links.For(c.CaseId, p.File), role = p.Role, takenAt = p.TakenAt }).ToList();
        var location = camera?.Location ?? CameraLocation.Unknown;
        string? objectClass = r.TryGetProperty("objects", out var objects) && objects.GetArrayLength() > 0 ? Text(objects[0], "class") : null;
        return new
        {
            caseId = c.CaseId,
            cameraId = c.CameraId,
            cameraName = camera?.Name ?? Text(r, "cameraName") ?? c.CameraId,
            address = location.Address,
            longitude = location.Longitude,
            latitude = location.Latitude,
            gridCode = location.GridCode,
            violation = c.Violation,
            violationName = Glossary.ViolationName(c.Violation),
            zoneId = c.ZoneId,
            zoneName = Glossary.ZoneName(camera, c.ZoneId),
            rule = new
            {
                id = c.RuleId,
                name = rule?.Name ?? Text(r, "ruleName"),
                type = c.Violation,
                version = Text(r, "ruleVersion"),
                dwellSeconds = rule?.Dwell.TotalSeconds,
                cooldownSeconds = rule?.Cooldown.TotalSeconds,
                minConfidence = rule?.MinConfidence,
                classes = rule?.Classes,
                classNames = rule?.Classes.Select(Glossary.ObjectClassName),
                zones = rule?.ZoneIds,
                zoneNames = rule?.ZoneIds.Select(z => Glossary.ZoneName(camera, z)),
                schedule = rule?.ScheduleName,
            },
            startedAt = c.StartedAt.UtcDateTime,
            confirmedAt = c.ConfirmedAt.UtcDateTime,
            confirmedAtLocal = Text(r, "confirmedAt"),
            dwellSeconds = r.TryGetProperty("dwellSeconds", out var dwell) ? dwell.GetDouble() : (c.ConfirmedAt - c.StartedAt).TotalSeconds,
            confidence = c.Confidence,
            objectClass,
            objectClassName = objectClass is null ? null : Glossary.ObjectClassName(objectClass),
            status = c.Status.ToWire(),
            statusReason = c.StatusReason,
            statusNote = c.StatusNote,
            clip,
            clipError = Text(evidence, "clipError"),
            photos,
            plate = Plate(r),
            // The episode starts when the object settles in the zone; it is a violation once the dwell has passed,
            // which is the moment it was confirmed.
            timeline = new
            {
                firstSeenAt = Text(r, "startedAt"),
                violationAt = Text(r, "confirmedAt"),
                confirmedAt = Text(r, "confirmedAt"),
            },
            version = c.Version,
            history = history.Select(h => new
            {
                status = h.Status.ToWire(), at = h.At.UtcDateTime, actor = h.Actor, reason = h.Reason, note = h.Note, address = h.Address,
                changedFrom = h.ChangedFrom?.ToWire(), changeReason = h.ChangeReason,
            }),
            dispatch = delivery is null ? null : new { state = Outbox.Wire(delivery.State), attempts = delivery.Attempts, lastError = delivery.LastError },
        };
    }

    /// <summary>The record's plate as the case page shows it: text (or null and why), confidence; null when the case has none.</summary>
    private static object? Plate(JsonElement record)
    {
        if (!record.TryGetProperty("plate", out var plate) || plate.ValueKind != JsonValueKind.Object) return null;
        return new
        {
            text = Text(plate, "text"),
            confidence = plate.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0,
            reason = Text(plate, "reason"),
        };
    }

    private static IEnumerable<(string File, string Role, string? TakenAt)> PhotoFiles(JsonElement record)
    {
        if (!record.TryGetProperty("evidence", out var evidence) || !evidence.TryGetProperty("photos", out var photos)) yield break;
        foreach (var p in photos.EnumerateArray())
            yield return (FileName(p.GetProperty("file").GetString()!), Text(p, "role") ?? "", Text(p, "takenAt"));
    }

    private static string FileName(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
