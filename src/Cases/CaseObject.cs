using System.Text.Json.Serialization;

namespace Vision.Cases;

/// <summary>The object that made the violation, box in source-video pixels.</summary>
public sealed record CaseObject(int TrackId, [property: JsonPropertyName("class")] string ClassName, double Confidence, PixelBox Box);
