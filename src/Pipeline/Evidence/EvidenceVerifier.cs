using System.Security.Cryptography;
using System.Text.Json;

namespace Vision.Pipeline.Evidence;

/// <summary>What verifying one case found: nothing means every object and the signature check out.</summary>
public sealed record CaseVerification(string CaseId, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Re-reads a case's manifest and every object it lists: size, SHA-256, and the manifest's HMAC
/// signature. Any changed byte in an object or in the manifest is reported.
/// </summary>
public sealed class EvidenceVerifier(string evidenceRoot, ManifestSigner? signer)
{
    /// <summary>Every case folder under the root that holds a manifest, in name order.</summary>
    public IReadOnlyList<string> CaseIds() =>
        Directory.EnumerateDirectories(evidenceRoot)
            .Where(d => File.Exists(Path.Combine(d, CaseManifest.FileName)))
            .Select(Path.GetFileName)
            .OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    public async Task<CaseVerification> VerifyAsync(string caseId, CancellationToken ct)
    {
        var problems = new List<string>();
        string manifestPath = Path.Combine(evidenceRoot, caseId, CaseManifest.FileName);
        CaseManifest manifest;
        try
        {
            manifest = CaseManifest.Parse(await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return new CaseVerification(caseId, [$"manifest {caseId}/{CaseManifest.FileName} cannot be read: {e.Message}"]);
        }

        if (manifest.Case.CaseId != caseId)
            problems.Add($"manifest names case '{manifest.Case.CaseId}' but sits in folder '{caseId}'");

        foreach (var item in manifest.Objects)
        {
            string path = Path.Combine(evidenceRoot, item.File);
            if (!File.Exists(path)) { problems.Add($"{item.File}: missing"); continue; }
            long size = new FileInfo(path).Length;
            if (size != item.Size) problems.Add($"{item.File}: size {size} bytes, manifest says {item.Size}");
            await using var stream = File.OpenRead(path);
            string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
            if (sha != item.Sha256) problems.Add($"{item.File}: SHA-256 {sha}, manifest says {item.Sha256}");
        }

        if (manifest.Signature is null)
            problems.Add("the manifest is not signed (no key was configured when it was written)");
        else if (signer is null)
            problems.Add($"signature not checked: set {ManifestSigner.KeyVariable} to the key '{manifest.KeyId}'");
        else if (manifest.KeyId != signer.KeyId)
            problems.Add($"signed with key '{manifest.KeyId}', but the configured key is '{signer.KeyId}'");
        else if (!signer.Verify(manifest.CanonicalBytes(), manifest.Signature))
            problems.Add("signature does not match: the manifest was changed after it was signed");

        return new CaseVerification(caseId, problems);
    }
}
