using Vision.Rules.Config;

namespace Vision.Dispatch;

/// <summary>What Vision knows about one case, the input of <see cref="DispatchRecordBuilder.Build"/>.</summary>
/// <param name="ZoneId">The zone of <paramref name="Camera"/> the violation was in.</param>
/// <param name="StartedAt">When the object was first seen in the zone.</param>
/// <param name="ConfirmedAt">When the violation was confirmed (the rule's dwell was reached).</param>
/// <param name="Confidence">Detector score of the object, 0–1.</param>
/// <param name="ObjectClass">The detector class of the object (car, person, bottle, ...); empty when not known.</param>
/// <param name="History">Every status change so far, oldest first.</param>
/// <param name="Status">The case's current status, one of <see cref="DispatchCaseStatus"/>.</param>
public sealed record CaseFacts(
    string CaseId,
    CameraConfig Camera,
    RuleDefinition Rule,
    string ZoneId,
    DateTimeOffset StartedAt,
    DateTimeOffset ConfirmedAt,
    double Confidence,
    string ObjectClass,
    IReadOnlyList<EvidenceReference> Evidence,
    IReadOnlyList<StatusChange> History,
    string Status)
{
    /// <summary>Parking cases: the plate read (null when not legible, with <see cref="PlateUnreadableReason"/>), or no plate at all for other cases.</summary>
    public string? PlateNumber { get; init; }

    public double? PlateConfidence { get; init; }

    public string? PlateUnreadableReason { get; init; }
}

/// <summary>One stored evidence file of a case: its key in the evidence store, a link when there is one, its SHA-256 (lower-case hex).</summary>
/// <param name="Role">What the file shows: <c>first_seen</c>, <c>midway</c>, <c>confirmation</c>, <c>clip</c>, <c>manifest</c>, ...</param>
public sealed record EvidenceReference(string Key, string? Url, string Sha256, string ContentType, string Role);

/// <summary>One change of a case's status: to what, when, by whom (null: Vision itself), why, and an officer's note.</summary>
public sealed record StatusChange(string Status, DateTimeOffset At, string? By = null, string? Reason = null, string? Note = null);
