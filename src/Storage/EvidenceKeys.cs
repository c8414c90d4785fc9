using System.Globalization;

namespace Vision.Storage;

/// <summary>
/// Object keys of a case's evidence: <c>{yyyy}/{MM}/{dd}/{cameraId}/{caseId}/{name}</c>, dated by the camera's local
/// day of confirmation (the same date as in the case id). Keys sort by time, and a day or a camera is one prefix, so
/// listings, exports and retention stay cheap on any S3 store.
/// </summary>
public static class EvidenceKeys
{
    public static string Prefix(string cameraId, string caseId, DateTimeOffset localConfirmedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{localConfirmedAt:yyyy}/{localConfirmedAt:MM}/{localConfirmedAt:dd}/{cameraId}/{caseId}/");

    public static string For(string prefix, string name) => prefix + name;

    /// <summary>Rejects keys that could escape a folder or are not portable across S3 stores.</summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 1024 || key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal)
            || key.Split('/').Any(part => part is "" or "." or ".."))
            throw new ArgumentException($"'{key}' is not a valid evidence object key", nameof(key));
    }
}
