using Vision.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Dispatch;

/// <summary>
/// Builds the record the dispatch core receives for one case, at the moment it is sent: the stored case and its
/// status history, its evidence keys with presigned links valid from now (a retry hours later still sends links that
/// work), and the camera's location and the rule's category from the running config.
/// </summary>
internal sealed class DispatchCaseSource(CaseStore cases, EvidenceCatalog catalog, IEvidenceStore store, TimeSpan presignExpiry)
{
    /// <summary>The record as JSON and the case's confirmation time; null when the case is unknown.</summary>
    public async Task<(byte[] Body, DateTimeOffset ConfirmedAt)?> BuildAsync(string caseId, VisionConfig config, DispatchConfig dispatch, CancellationToken ct)
    {
        var facts = await FactsAsync(caseId, config, ct).ConfigureAwait(false);
        if (facts is null) return null;
        return (DispatchRecordBuilder.ToJson(DispatchRecordBuilder.Build(facts, dispatch)), facts.ConfirmedAt);
    }

    public async Task<CaseFacts?> FactsAsync(string caseId, VisionConfig config, CancellationToken ct)
    {
        var stored = await cases.FindAsync(caseId, ct).ConfigureAwait(false);
        if (stored is null) return null;
        var record = stored.Record;
        var history = await cases.HistoryAsync(caseId, ct).ConfigureAwait(false);
        var evidence = new List<EvidenceReference>();
        if (await catalog.FindAsync(caseId, ct).ConfigureAwait(false) is { } entry)
            foreach (var item in entry.Case.Objects)
            {
                var url = entry.State == EvidenceState.Stored ? await store.PresignGetAsync(item.Key, presignExpiry, ct).ConfigureAwait(false) : null;
                evidence.Add(new EvidenceReference(item.Key, url?.ToString(), item.Sha256, item.ContentType, item.Role));
            }

        var camera = config.FindCamera(record.CameraId) ?? StandInCamera(record);
        var rule = camera.Rules.FirstOrDefault(r => r.Id == record.RuleId) ?? StandInRule(record);
        return new CaseFacts(
            caseId, camera, rule, record.ZoneId, stored.StartedAt, stored.ConfirmedAt, stored.Confidence,
            record.Objects.Count > 0 ? record.Objects[0].ClassName : "",
            evidence,
            history.Select(h => new StatusChange(h.Status.ToWire(), h.At, h.Actor, h.Reason, h.Note)).ToList(),
            stored.Status.ToWire())
        {
            PlateNumber = record.Plate?.Text,
            PlateConfidence = record.Plate?.Text is null ? null : record.Plate.Confidence,
            PlateUnreadableReason = record.Plate is { Text: null } unread ? unread.Reason : null,
        };
    }

    /// <summary>A camera removed from the config since the case: its id and name from the record, no location.</summary>
    private static CameraConfig StandInCamera(CaseRecord record)
    {
        var offset = DateTimeOffset.Parse(record.ConfirmedAt, System.Globalization.CultureInfo.InvariantCulture).Offset;
        string zone = offset == TimeSpan.Zero ? "UTC" : TimeZoneInfo.GetSystemTimeZones().FirstOrDefault(z => z.BaseUtcOffset == offset)?.Id ?? "UTC";
        return new CameraConfig(record.CameraId, record.CameraName, null, zone, AnalysisConfig.Default, [], []);
    }

    /// <summary>A rule removed from the config since the case: id, name, type and version from the record.</summary>
    private static RuleDefinition StandInRule(CaseRecord record)
    {
        ViolationTypeNames.TryParse(record.Violation, out var type);
        return new RuleDefinition(record.RuleId, record.RuleName, type, record.RuleVersion, [], [record.ZoneId], 0, 0, TimeSpan.FromSeconds(record.DwellSeconds), TimeSpan.Zero,
            null, AnchorPoint.BottomCenter, 1, [], 0);
    }
}
