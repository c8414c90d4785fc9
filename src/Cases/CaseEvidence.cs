namespace Vision.Cases;

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
