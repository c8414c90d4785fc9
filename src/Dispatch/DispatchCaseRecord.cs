namespace Vision.Dispatch;

/// <summary>
/// One case as the city's 数字城管 dispatch core receives it: a flat JSON object (camelCase, nulls omitted) with the
/// event category of the configured code set, where it happened, when, why and the evidence, so a dispatch core's own
/// intake API is reachable by renaming fields. Written by <see cref="DispatchRecordBuilder"/>; described by
/// <c>schemas/dispatch-case.schema.json</c> and <c>docs/dispatch.md</c>.
/// </summary>
public sealed record DispatchCaseRecord
{
    /// <summary>
    /// The value of <see cref="Schema"/>: this record's format and version. Version 2 adds the plate fields, and only a
    /// record that carries one says 2, so a receiver validating version 1 strictly keeps taking every other record.
    /// </summary>
    public const string SchemaId = "vision.dispatch-case/2";

    /// <summary>The schema of a record without plate fields (unchanged from version 1).</summary>
    public const string SchemaIdWithoutPlate = "vision.dispatch-case/1";

    /// <summary>The value of <see cref="Source"/>: the case source (案件来源) "intelligent video capture".</summary>
    public const string IntelligentVideo = "intelligent_video";

    /// <summary>The value of <see cref="SourceName"/>.</summary>
    public const string IntelligentVideoName = "智能视频采集";

    public string Schema { get; init; } = SchemaId;

    /// <summary>Vision's case id; the same case sent twice has the same id.</summary>
    public required string CaseId { get; init; }

    public string Source { get; init; } = IntelligentVideo;

    public string SourceName { get; init; } = IntelligentVideoName;

    /// <summary><c>cjt214</c> or <c>gbt47678</c>: which standard the class codes below belong to.</summary>
    public required string CodeSet { get; init; }

    /// <summary>Big class (大类): the first two digits of the small class code.</summary>
    public required string BigClassCode { get; init; }

    /// <summary>Null when the code set's big class names are not known (gbt47678 without <c>category_names</c>).</summary>
    public string? BigClassName { get; init; }

    /// <summary>Small class (小类): 4 digits (cjt214) or 5 (gbt47678).</summary>
    public required string SmallClassCode { get; init; }

    public required string SmallClassName { get; init; }

    /// <summary>gbt47678 only: the 6-digit area code followed by the small class code (11 digits).</summary>
    public string? ItemCode { get; init; }

    /// <summary>Vision's violation type: <c>illegal_parking</c>, <c>street_stall</c> or <c>litter</c>.</summary>
    public required string Violation { get; init; }

    public required string CameraId { get; init; }

    public required string CameraName { get; init; }

    /// <summary>The camera location's address, or the camera's name when none is configured.</summary>
    public required string Address { get; init; }

    /// <summary>Degrees in <see cref="CoordinateSystem"/>; null when the camera has no coordinates.</summary>
    public double? Longitude { get; init; }

    public double? Latitude { get; init; }

    /// <summary><c>WGS84</c> or <c>GCJ02</c>; present with the coordinates.</summary>
    public string? CoordinateSystem { get; init; }

    /// <summary>Unit grid cell (单元网格) code: 14 digits (CJ/T 213) or 15 (GB/T 30428.1).</summary>
    public string? GridCode { get; init; }

    public string? DistrictId { get; init; }

    public string? StreetId { get; init; }

    public string? CommunityId { get; init; }

    /// <summary>The zone of the camera's image the violation was in.</summary>
    public required string ZoneId { get; init; }

    /// <summary>When the object was first seen in the zone, UTC (<c>…Z</c>).</summary>
    public required string StartedAt { get; init; }

    /// <summary>When the violation was confirmed (dwell reached), UTC (<c>…Z</c>).</summary>
    public required string ConfirmedAt { get; init; }

    /// <summary><see cref="StartedAt"/> in the camera's time zone, with its offset.</summary>
    public required string StartedAtLocal { get; init; }

    /// <summary><see cref="ConfirmedAt"/> in the camera's time zone, with its offset.</summary>
    public required string ConfirmedAtLocal { get; init; }

    public required double DwellSeconds { get; init; }

    /// <summary>Detector score of the object, 0–1.</summary>
    public required double Confidence { get; init; }

    /// <summary>The detector class of the object (car, person, bottle, ...); null when not known.</summary>
    public string? ObjectClass { get; init; }

    /// <summary>Parking cases: the vehicle's plate as read (validated, e.g. <c>京A12345</c>); left out when not legible or not a vehicle case.</summary>
    public string? PlateNumber { get; init; }

    /// <summary>The plate reading's confidence, 0–1; present with <see cref="PlateNumber"/>.</summary>
    public double? PlateConfidence { get; init; }

    /// <summary>Parking cases whose plate could not be read: why (the officer reads it from the close-up photo).</summary>
    public string? PlateUnreadableReason { get; init; }

    public required string RuleId { get; init; }

    public required string RuleVersion { get; init; }

    /// <summary>Chinese one-line description (问题描述), from <see cref="CaseDescription"/>.</summary>
    public required string Description { get; init; }

    public required IReadOnlyList<DispatchEvidence> Evidence { get; init; }

    /// <summary>One of <see cref="DispatchCaseStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Every status change, oldest first.</summary>
    public required IReadOnlyList<DispatchStatusChange> StatusHistory { get; init; }
}

/// <summary>One evidence file of a case (photo, clip, manifest) with its store key, a link when one can be given, and its SHA-256.</summary>
/// <param name="Url">A link the dispatch core can fetch the file from (e.g. presigned); null when there is none.</param>
/// <param name="Role">What the file shows: <c>first_seen</c>, <c>midway</c>, <c>confirmation</c>, <c>clip</c>, <c>manifest</c>, ...</param>
public sealed record DispatchEvidence(string Key, string? Url, string Sha256, string ContentType, string Role)
{
    /// <summary>The value of <see cref="Usage"/>: evidence attached when the case is reported.</summary>
    public const string ReportUsage = "上报";

    /// <summary>What the media is for in the dispatch core (上报 = attached to the report, as opposed to 核查 / 核实 later).</summary>
    public string Usage { get; init; } = ReportUsage;
}

/// <summary>One status change of a case; <c>At</c> is UTC (<c>…Z</c>).</summary>
/// <param name="By">Who made it: an officer's id, or null for Vision itself.</param>
public sealed record DispatchStatusChange(string Status, string At, string? By, string? Reason, string? Note);

/// <summary>The statuses a dispatched case can have.</summary>
public static class DispatchCaseStatus
{
    /// <summary>Detected and evidenced by Vision, not yet reviewed.</summary>
    public const string AutoCaptured = "auto_captured";

    /// <summary>An officer confirmed the violation.</summary>
    public const string Confirmed = "confirmed";

    /// <summary>An officer rejected the case (false alarm, exempt vehicle, ...).</summary>
    public const string Rejected = "rejected";

    /// <summary>Accepted by the dispatch core.</summary>
    public const string Dispatched = "dispatched";

    public static IReadOnlyList<string> All { get; } = [AutoCaptured, Confirmed, Rejected, Dispatched];

    public static bool IsKnown(string status) => All.Contains(status, StringComparer.Ordinal);
}
