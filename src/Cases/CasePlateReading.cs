namespace Vision.Cases;

/// <summary>One frame's reading: its validated text (or null and why), the raw text the recogniser gave, and where.</summary>
public sealed record CasePlateReading(string Photo, string? Text, string Raw, double Confidence, PixelBox? Box, string? Reason);
