using Vision.Cases;

namespace Vision.Storage;

/// <summary>The facts of a new case the store indexes; <see cref="RecordJson"/> is the full case record (a cases.jsonl line).</summary>
public sealed record NewCase(string CaseId, string CameraId, string RuleId, string Violation, string ZoneId, DateTimeOffset StartedAt, DateTimeOffset ConfirmedAt, double Confidence, string RecordJson)
{
    /// <summary>The vehicle's plate as read (validated), or null.</summary>
    public string? Plate { get; init; }

    /// <summary>In a cluster: the camera lease the case was raised under; the case is written only while it is current.</summary>
    public CaseFence? Fence { get; init; }

    /// <summary>The columns the case store indexes, with <paramref name="record"/> as its JSON.</summary>
    public static NewCase Of(CaseRecord record) => new(record.CaseId, record.CameraId, record.RuleId, record.Violation, record.ZoneId,
        record.StartedInstant, record.ConfirmedInstant, record.Confidence, record.ToJson()) { Plate = record.Plate?.Text };
}
