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

    /// <summary>The evidence against GA/T 832 and Beijing's rule (null in records written before schema 2).</summary>
    public CaseCompliance? Compliance { get; init; }

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

/// <summary>
/// One evidence photo: the annotated copy (<c>File</c>: zone and box lines on the picture, the caption on a strip below
/// it) and, from schema 2 on, its untouched <see cref="Original"/>, where the picture came from, its size and its
/// anti-forgery code. The close-up's original is the confirmation photo's (it is cropped from that frame).
/// </summary>
public sealed record EvidencePhoto(string File, string Key, string Sha256, string Role, string TakenAt)
{
    public EvidenceOriginal? Original { get; init; }

    /// <summary>The picture's size in pixels (the original's; the annotated copy adds its caption strip below).</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    /// <summary><c>recording</c> (the original video, full resolution) or <c>analysis_frame</c> (the scaled analysis frame: the recording was not available).</summary>
    public string? Source { get; init; }

    /// <summary>Why the photo is not from the recording; null when it is.</summary>
    public string? SourceNote { get; init; }

    /// <summary>The code on the caption strip (<see cref="Evidence.AntiForgeryCode"/>), derived from the original's SHA-256.</summary>
    public string? AntiForgeryCode { get; init; }

    /// <summary>For the close-up: the rectangle of the original it shows (original pixels).</summary>
    public PixelBox? Crop { get; init; }
}

/// <summary>An evidence photo's untouched original: the decoded frame, JPEG-encoded as is.</summary>
public sealed record EvidenceOriginal(string File, string Key, string Sha256);

public sealed record EvidenceClip(string File, string Key, string Sha256, string Start, string End, double DurationSeconds);
