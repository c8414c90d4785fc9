namespace Vision.Models;

/// <summary>Where a configured model was found: the ONNX file and the manifest that describes it (both absolute).</summary>
public sealed record ModelLocation(string OnnxPath, string ManifestPath);
