using System.Text;
using System.Text.Json;

namespace Vision.Pipeline.Evidence;

/// <summary>One evidence object of a case: its name relative to the evidence root, size, SHA-256 and content type.</summary>
public sealed record ManifestObject(string File, long Size, string Sha256, string ContentType, string Role);

/// <summary>
/// <c>manifest.json</c> in each case folder: the case facts and every evidence object with size and
/// SHA-256, signed with HMAC-SHA256 over its canonical JSON (the manifest with <c>signature</c> null).
/// </summary>
public sealed record CaseManifest(
    string Schema,
    CaseRecord Case,
    IReadOnlyList<ManifestObject> Objects,
    string? KeyId,
    string? Signature)
{
    public const string CurrentSchema = "vision.case-manifest/1";
    public const string FileName = "manifest.json";

    /// <summary>The bytes the signature covers.</summary>
    public byte[] CanonicalBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Signature = null }, CaseLog.JsonOptions));

    public CaseManifest SignedBy(ManifestSigner? signer) =>
        signer is null ? this with { KeyId = null, Signature = null } : this with { KeyId = signer.KeyId, Signature = signer.Sign((this with { KeyId = signer.KeyId }).CanonicalBytes()) };

    public byte[] ToJsonBytes() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, CaseLog.JsonOptions));

    public static CaseManifest Parse(byte[] json) =>
        JsonSerializer.Deserialize<CaseManifest>(json, CaseLog.JsonOptions) ?? throw new JsonException("the manifest is empty");
}
