namespace Vision.Storage;

/// <summary>A case whose evidence is complete in the spool. <see cref="Objects"/> ends with the signed manifest, which is uploaded last.</summary>
public sealed record SpooledCase(string CaseId, string CameraId, string RuleId, string Violation, DateTimeOffset ConfirmedAt, string KeyPrefix, IReadOnlyList<SpooledObject> Objects)
{
    public long Bytes => Objects.Sum(o => o.Size);

    public string ManifestKey => Objects[^1].Key;
}
