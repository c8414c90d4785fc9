namespace Vision.Cases;

/// <summary>An evidence photo's untouched original: the decoded frame, JPEG-encoded as is.</summary>
public sealed record EvidenceOriginal(string File, string Key, string Sha256);
