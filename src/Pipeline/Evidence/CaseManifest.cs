using System.Text;
using System.Text.Json;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>One evidence object of a case: its name relative to the local evidence root, its key in the evidence store, size, SHA-256 and content type.</summary>
internal sealed record ManifestObject(string File, string Key, long Size, string Sha256, string ContentType, string Role);

/// <summary>
/// <c>manifest.json</c> in each case folder: the case facts and every evidence object with size and
/// SHA-256, signed with HMAC-SHA256 over its canonical JSON (the manifest with <c>signature</c> null).
/// </summary>
internal sealed record CaseManifest(
    string Schema,
    CaseRecord Case,
    IReadOnlyList<ManifestObject> Objects,
    string? KeyId,
    string? Signature)
{
    public const string CurrentSchema = "vision.case-manifest/2";
    public const string FileName = "manifest.json";

    /// <summary>
    /// Written with a case's first photos (live): the case as it stands then, without a clip. A node killed before the
    /// case is finished leaves it, and spool recovery completes the case from it.
    /// </summary>
    public const string ProvisionalFileName = "manifest.provisional.json";
    public const string ContentType = "application/json";

    /// <summary>The case as the uploader sees it, rebuilt from a manifest found in the spool (a case whose catalog row was lost in a crash).</summary>
    public SpooledCase ToSpooledCase(byte[] manifestBytes)
    {
        string prefix = Case.Evidence.ManifestKey is { } key ? key[..(key.LastIndexOf('/') + 1)] : throw new JsonException("the manifest has no object keys (written by an older Vision)");
        var objects = Objects
            .Select(o => new SpooledObject(System.IO.Path.GetFileName(o.File), o.Key, o.Size, o.Sha256, o.ContentType, o.Role))
            .Append(new SpooledObject(FileName, Case.Evidence.ManifestKey, manifestBytes.Length,
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifestBytes)), ContentType, "manifest"))
            .ToList();
        var confirmed = DateTimeOffset.Parse(Case.ConfirmedAt, System.Globalization.CultureInfo.InvariantCulture);
        return new SpooledCase(Case.CaseId, Case.CameraId, Case.RuleId, Case.Violation, confirmed, prefix, objects);
    }

    /// <summary>The bytes the signature covers.</summary>
    public byte[] CanonicalBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Signature = null }, CaseJson.Options));

    public CaseManifest SignedBy(ManifestSigner? signer) =>
        signer is null ? this with { KeyId = null, Signature = null } : this with { KeyId = signer.KeyId, Signature = signer.Sign((this with { KeyId = signer.KeyId }).CanonicalBytes()) };

    public byte[] ToJsonBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, CaseJson.Options));

    public static CaseManifest Parse(byte[] json) =>
        JsonSerializer.Deserialize<CaseManifest>(json, CaseJson.Options) ?? throw new JsonException("the manifest is empty");
}
