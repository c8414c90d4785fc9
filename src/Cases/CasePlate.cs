namespace Vision.Cases;

/// <summary>
/// The parked vehicle's plate as the case records it (<c>plate</c> in cases.jsonl, the manifest and the dispatch
/// record): the text the episode's readings agreed on, or null with the reason (never a guess).
/// </summary>
/// <param name="Text">A validated plate, e.g. 京A12345 or 粤BD12345; null when not legible.</param>
/// <param name="Confidence">The voted text's confidence (0–1); 0 when none.</param>
/// <param name="Box">Where the plate is in <paramref name="Photo"/>, in that photo's pixels (the original frame's).</param>
/// <param name="Photo">The evidence photo (relative file) the box refers to.</param>
/// <param name="Readings">Each frame's reading that went into the vote.</param>
/// <param name="Reason">Why there is no text; null when there is.</param>
public sealed record CasePlate(string? Text, double Confidence, PixelBox? Box, string? Photo, IReadOnlyList<CasePlateReading> Readings, string? Reason);
