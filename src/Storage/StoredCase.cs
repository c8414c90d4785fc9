using Vision.Cases;

namespace Vision.Storage;

/// <summary>A case as stored: its index columns, current status and full record.</summary>
public sealed record StoredCase(
    string CaseId, string CameraId, string RuleId, string Violation, string ZoneId, DateTimeOffset StartedAt, DateTimeOffset ConfirmedAt,
    double Confidence, CaseStatus Status, DateTimeOffset StatusAt, string? StatusBy, string? StatusReason, string? StatusNote, string RecordJson)
{
    /// <summary>Goes up by one with every decision; a reviewer's decision names the version it was made on.</summary>
    public long Version { get; init; } = 1;

    /// <summary>The vehicle's plate as read, or null.</summary>
    public string? Plate { get; init; }

    /// <summary>The case record <see cref="RecordJson"/> holds, read once on first use.</summary>
    public CaseRecord Record => field ??= CaseRecord.Parse(RecordJson);
}
