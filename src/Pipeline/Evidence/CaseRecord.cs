using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vision.Storage;

namespace Vision.Pipeline.Evidence;

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

    /// <summary>The columns the case store indexes, with this record as its JSON.</summary>
    public NewCase ToNewCase() => new(CaseId, CameraId, RuleId, Violation, ZoneId,
        DateTimeOffset.Parse(StartedAt, CultureInfo.InvariantCulture), DateTimeOffset.Parse(ConfirmedAt, CultureInfo.InvariantCulture),
        Objects.Count > 0 ? Objects[0].Confidence : 0, JsonSerializer.Serialize(this, CaseLog.JsonOptions)) { Plate = Plate?.Text };

    public static CaseRecord Parse(string json) =>
        JsonSerializer.Deserialize<CaseRecord>(json, CaseLog.JsonOptions) ?? throw new JsonException("empty case record");
}

/// <summary>The object that made the violation, box in source-video pixels.</summary>
public sealed record CaseObject(int TrackId, [property: JsonPropertyName("class")] string ClassName, double Confidence, PixelBox Box);

public sealed record PixelBox(int X, int Y, int Width, int Height);

public sealed record FrameSize(int Width, int Height);

/// <summary>
/// The case's evidence. <c>File</c> names are relative to the local evidence root (replay's --out, the live spool);
/// <c>Key</c>s are the objects' keys in the evidence store (<c>{yyyy}/{MM}/{dd}/{camera}/{case}/{name}</c>).
/// </summary>
public sealed record CaseEvidence(IReadOnlyList<EvidencePhoto> Photos, EvidenceClip? Clip, string? ClipError)
{
    /// <summary>The case's signed manifest (every object with size and SHA-256), relative to the evidence root.</summary>
    public string? Manifest { get; init; }

    /// <summary>The manifest's object key in the evidence store.</summary>
    public string? ManifestKey { get; init; }
}

public sealed record EvidencePhoto(string File, string Key, string Sha256, string Role, string TakenAt);

public sealed record EvidenceClip(string File, string Key, string Sha256, string Start, string End, double DurationSeconds);
