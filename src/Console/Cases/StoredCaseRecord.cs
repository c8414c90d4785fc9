using System.Globalization;
using System.Text.Json;

namespace Vision.ReviewConsole;

/// <summary>A photo of a case's evidence as the record names it: file name (no folder), role and when it was taken.</summary>
internal sealed record RecordPhoto(string File, string Role, string? TakenAt);

/// <summary>A case's clip as the record names it: file name (no folder), when it starts and how long it is.</summary>
internal sealed record RecordClip(string File, DateTimeOffset Start, double DurationSeconds);

/// <summary>
/// What the console reads from a case's stored record JSON (<see cref="Vision.Storage.StoredCase.RecordJson"/>) beyond
/// its index columns. Every read of the record by key is here, so the typed case record can replace this one type.
/// </summary>
internal sealed record StoredCaseRecord(
    string? CameraName, string? RuleName, string? RuleVersion, string? StartedAtLocal, string? ConfirmedAtLocal, double? DwellSeconds,
    string? ObjectClass, RecordClip? Clip, string? ClipError, IReadOnlyList<RecordPhoto> Photos, PlateView? Plate)
{
    public static StoredCaseRecord Read(string recordJson)
    {
        using var document = JsonDocument.Parse(recordJson);
        var r = document.RootElement;
        var evidence = r.TryGetProperty("evidence", out var e) ? e : default;
        return new StoredCaseRecord(
            Text(r, "cameraName"),
            Text(r, "ruleName"),
            Text(r, "ruleVersion"),
            Text(r, "startedAt"),
            Text(r, "confirmedAt"),
            r.TryGetProperty("dwellSeconds", out var dwell) ? dwell.GetDouble() : null,
            r.TryGetProperty("objects", out var objects) && objects.GetArrayLength() > 0 ? Text(objects[0], "class") : null,
            ClipOf(evidence),
            Text(evidence, "clipError"),
            PhotosOf(evidence),
            PlateOf(r));
    }

    private static RecordClip? ClipOf(JsonElement evidence)
    {
        if (evidence.ValueKind != JsonValueKind.Object || !evidence.TryGetProperty("clip", out var clip) || clip.ValueKind != JsonValueKind.Object) return null;
        return new RecordClip(FileName(clip.GetProperty("file").GetString()!),
            DateTimeOffset.Parse(clip.GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
            clip.GetProperty("durationSeconds").GetDouble());
    }

    private static List<RecordPhoto> PhotosOf(JsonElement evidence)
    {
        var photos = new List<RecordPhoto>();
        if (evidence.ValueKind != JsonValueKind.Object || !evidence.TryGetProperty("photos", out var list)) return photos;
        foreach (var p in list.EnumerateArray())
            photos.Add(new RecordPhoto(FileName(p.GetProperty("file").GetString()!), Text(p, "role") ?? "", Text(p, "takenAt")));
        return photos;
    }

    private static PlateView? PlateOf(JsonElement record)
    {
        if (!record.TryGetProperty("plate", out var plate) || plate.ValueKind != JsonValueKind.Object) return null;
        return new PlateView(Text(plate, "text"),
            plate.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetDouble() : 0,
            Text(plate, "reason"));
    }

    private static string FileName(string relative) => relative[(relative.LastIndexOf('/') + 1)..];

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
