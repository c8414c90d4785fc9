using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vision.Cases;

/// <summary>One line of cases.jsonl: the facts of a confirmed violation and its evidence files with their SHA-256.</summary>
public sealed record CaseRecord(
    string CaseId,
    string CameraId,
    string CameraName,
    string RuleId,
    string RuleName,
    string RuleVersion,
    string Violation,
    string ZoneId,
    string StartedAt,
    string ConfirmedAt,
    double DwellSeconds,
    IReadOnlyList<CaseObject> Objects,
    FrameSize Frame,
    CaseEvidence Evidence)
{
    /// <summary>The vehicle's plate for parking cases (read once per case from the full-resolution photos); null for other violations.</summary>
    public CasePlate? Plate { get; init; }

    /// <summary>The evidence against GA/T 832 and Beijing's rule (null in records written before schema 2).</summary>
    public CaseCompliance? Compliance { get; init; }

    /// <summary><see cref="StartedAt"/> as an instant.</summary>
    [JsonIgnore]
    public DateTimeOffset StartedInstant => DateTimeOffset.Parse(StartedAt, CultureInfo.InvariantCulture);

    /// <summary><see cref="ConfirmedAt"/> as an instant.</summary>
    [JsonIgnore]
    public DateTimeOffset ConfirmedInstant => DateTimeOffset.Parse(ConfirmedAt, CultureInfo.InvariantCulture);

    /// <summary>The detector's score of the object that made the violation; 0 when none is recorded.</summary>
    [JsonIgnore]
    public double Confidence => Objects.Count > 0 ? Objects[0].Confidence : 0;

    public string ToJson() => JsonSerializer.Serialize(this, CaseJson.Options);

    public static CaseRecord Parse(string json) =>
        JsonSerializer.Deserialize<CaseRecord>(json, CaseJson.Options) ?? throw new JsonException("empty case record");
}
