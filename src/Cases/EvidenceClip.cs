namespace Vision.Cases;

/// <summary>The case's clip, stream-copied from the camera's recording: its file, key, SHA-256 and the span it covers.</summary>
public sealed record EvidenceClip(string File, string Key, string Sha256, string Start, string End, double DurationSeconds);
