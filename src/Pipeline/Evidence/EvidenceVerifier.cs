using System.Security.Cryptography;
using System.Text.Json;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>What verifying one case found: nothing means every object and the signature check out.</summary>
internal sealed record CaseVerification(string CaseId, IReadOnlyList<string> Problems)
{
    /// <summary>The case's evidence against GA/T 832 and Beijing's rule, as its signed manifest records it (null before schema 2).</summary>
    public CaseCompliance? Compliance { get; init; }

    public bool Ok => Problems.Count == 0;
}

/// <summary>Size and SHA-256 of one evidence object as it is now.</summary>
internal sealed record ObjectDigest(long Size, string Sha256);

/// <summary>Where a case's manifest and objects are read from for verification: a local evidence folder or the evidence store.</summary>
internal interface IEvidenceSource
{
    /// <summary>The manifest's bytes; null when the case has none here.</summary>
    Task<byte[]?> ReadManifestAsync(string caseId, CancellationToken ct);

    /// <summary>The object's size and SHA-256, read in full; null when it is missing.</summary>
    Task<ObjectDigest?> DigestAsync(ManifestObject item, CancellationToken ct);

    /// <summary>How problems name the object: its file or its key.</summary>
    string NameOf(ManifestObject item);
}

/// <summary>
/// Re-reads a case's manifest and every object it lists: size, SHA-256, and the manifest's HMAC signature. Any
/// changed byte in an object or in the manifest is reported.
/// </summary>
internal sealed class EvidenceVerifier(IEvidenceSource source, ManifestSigner? signer)
{
    public async Task<CaseVerification> VerifyAsync(string caseId, CancellationToken ct)
    {
        var problems = new List<string>();
        CaseManifest manifest;
        try
        {
            var bytes = await source.ReadManifestAsync(caseId, ct).ConfigureAwait(false);
            if (bytes is null) return new CaseVerification(caseId, [$"case {caseId} has no {CaseManifest.FileName}"]);
            manifest = CaseManifest.Parse(bytes);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return new CaseVerification(caseId, [$"manifest of {caseId} cannot be read: {e.Message}"]);
        }

        if (manifest.Case.CaseId != caseId)
            problems.Add($"manifest names case '{manifest.Case.CaseId}' but belongs to '{caseId}'");

        foreach (var item in manifest.Objects)
        {
            string name = source.NameOf(item);
            var digest = await source.DigestAsync(item, ct).ConfigureAwait(false);
            if (digest is null) { problems.Add($"{name}: missing"); continue; }
            if (digest.Size != item.Size) problems.Add($"{name}: size {digest.Size} bytes, manifest says {item.Size}");
            if (digest.Sha256 != item.Sha256) problems.Add($"{name}: SHA-256 {digest.Sha256}, manifest says {item.Sha256}");
        }

        CheckPhotos(manifest, problems);

        if (manifest.Signature is null)
            problems.Add("the manifest is not signed (no key was configured when it was written)");
        else if (signer is null)
            problems.Add($"signature not checked: set {ManifestSigner.KeyVariable} to the key '{manifest.KeyId}'");
        else if (manifest.KeyId != signer.KeyId)
            problems.Add($"signed with key '{manifest.KeyId}', but the configured key is '{signer.KeyId}'");
        else if (!signer.Verify(manifest.CanonicalBytes(), manifest.Signature))
            problems.Add("signature does not match: the manifest was changed after it was signed");

        return new CaseVerification(caseId, problems) { Compliance = manifest.Case.Compliance };
    }

    /// <summary>
    /// Each photo's original is one of the hashed objects, and the anti-forgery code on its caption strip is the one its
    /// original's SHA-256 gives (with the key when the manifest is signed).
    /// </summary>
    private void CheckPhotos(CaseManifest manifest, List<string> problems)
    {
        bool keyed = manifest.Signature is not null;
        if (keyed && (signer is null || manifest.KeyId != signer.KeyId)) return; // reported with the signature
        foreach (var photo in manifest.Case.Evidence.Photos)
        {
            if (photo.Original is not { } original || photo.AntiForgeryCode is not { } code) continue;
            if (!manifest.Objects.Any(o => o.File == original.File && o.Sha256 == original.Sha256))
                problems.Add($"{photo.File}: its original {original.File} is not among the manifest's hashed objects");
            string expected = AntiForgeryCode.For(keyed ? signer : null, original.Sha256);
            if (!string.Equals(expected, code, StringComparison.Ordinal))
                problems.Add($"{photo.File}: anti-forgery code {AntiForgeryCode.Printed(code)} does not match its original (expected {AntiForgeryCode.Printed(expected)})");
        }
    }

    /// <summary>SHA-256 of a stream read to its end, with its length.</summary>
    public static async Task<ObjectDigest> DigestAsync(Stream stream, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            size += read;
        }
        return new ObjectDigest(size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>A local evidence root (replay's --out, the live spool): <c>{root}/{caseId}/manifest.json</c> and the files it names.</summary>
internal sealed class FolderEvidenceSource(string root) : IEvidenceSource
{
    /// <summary>Every case folder under the root that holds a manifest, in name order.</summary>
    public IReadOnlyList<string> CaseIds() =>
        Directory.EnumerateDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, CaseManifest.FileName)))
            .Select(Path.GetFileName)
            .OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    public async Task<byte[]?> ReadManifestAsync(string caseId, CancellationToken ct)
    {
        string path = Path.Combine(root, caseId, CaseManifest.FileName);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false) : null;
    }

    public async Task<ObjectDigest?> DigestAsync(ManifestObject item, CancellationToken ct)
    {
        string path = Path.Combine(root, item.File);
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        return await EvidenceVerifier.DigestAsync(stream, ct).ConfigureAwait(false);
    }

    public string NameOf(ManifestObject item) => item.File;
}
