using System.Globalization;
using Vision.Cases;

namespace Vision.ReviewConsole;

/// <summary>A photo of a case's evidence as the record names it: file name (no folder), role and when it was taken.</summary>
internal sealed record RecordPhoto(string File, string Role, string? TakenAt);

/// <summary>A case's clip as the record names it: file name (no folder), when it starts and how long it is.</summary>
internal sealed record RecordClip(string File, DateTimeOffset Start, double DurationSeconds);

/// <summary>
/// What the console shows of a case's record (<see cref="Vision.Storage.StoredCase.Record"/>) beyond its index columns:
/// file names without their folders, the first object's class, the plate as the console shows it.
/// </summary>
internal sealed record StoredCaseRecord(
    string? CameraName, string? RuleName, string? RuleVersion, string? StartedAtLocal, string? ConfirmedAtLocal, double? DwellSeconds,
    string? ObjectClass, RecordClip? Clip, string? ClipError, IReadOnlyList<RecordPhoto> Photos, PlateView? Plate)
{
    /// <summary>The console's view of the case record; tolerant of records missing parts (older schemas, hand-made rows).</summary>
    public static StoredCaseRecord Of(CaseRecord r)
    {
        var evidence = r.Evidence;
        var clip = evidence?.Clip is { } c
            ? new RecordClip(FileName(c.File), DateTimeOffset.Parse(c.Start, CultureInfo.InvariantCulture), c.DurationSeconds)
            : null;
        var photos = evidence?.Photos is { } list
            ? list.Select(p => new RecordPhoto(FileName(p.File), p.Role ?? "", p.TakenAt)).ToList()
            : [];
        var plate = r.Plate is { } read ? new PlateView(read.Text, read.Confidence, read.Reason) : null;
        return new StoredCaseRecord(r.CameraName, r.RuleName, r.RuleVersion, r.StartedAt, r.ConfirmedAt, r.DwellSeconds,
            r.Objects is { Count: > 0 } objects ? objects[0].ClassName : null, clip, evidence?.ClipError, photos, plate);
    }

    private static string FileName(string relative) => relative[(relative.LastIndexOf('/') + 1)..];
}
