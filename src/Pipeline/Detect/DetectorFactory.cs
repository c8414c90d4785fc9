using Vision.Models;
using Vision.Rules.Config;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Detect;

/// <summary>Finds the configured model and its manifest, loads it, and checks that every class the rules name exists in it.</summary>
internal static class DetectorFactory
{
    public static OnnxDetector Load(VisionConfig config)
    {
        var d = config.Detector;
        var manifest = ModelLocator.LoadManifest(d.Model, d.Manifest, ModelLocator.DefaultSearchDirectories());
        var provider = d.Provider.ToLowerInvariant() switch
        {
            "cuda" => ExecutionProvider.Cuda,
            "tensorrt" => ExecutionProvider.TensorRt,
            _ => ExecutionProvider.Cpu,
        };
        var detector = OnnxDetector.Load(manifest, new DetectorOptions(provider, d.Threads, d.MinScore, d.NmsIou, d.MaxBatch));
        try
        {
            ClassNameCheck.Validate(config, detector.ClassNames);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
        return detector;
    }
}
