namespace Vision.TestSupport;

/// <summary>The PP-OCRv4 plate models (<c>../shared/models/ppocr</c>) and the labelled plate photos (<c>../shared/plates</c>); tests that need them skip with a reason when absent.</summary>
public static class PlateData
{
    public const string MissingReason =
        "needs ../shared/models/ppocr (PP-OCRv4 det/rec/cls + ppocr_keys_v1.txt) and ../shared/plates (labels.csv, crops/, scenes/) beside the project root; set VISION_SHARED to the shared folder";

    public static bool Available => SharedData.Root is { } root
        && File.Exists(Path.Combine(root, "models", "ppocr", "ch_PP-OCRv4_rec_infer.onnx"))
        && File.Exists(Path.Combine(root, "plates", "labels.csv"));

    public static string ModelsDir => Path.Combine(SharedData.Root ?? throw new InvalidOperationException(MissingReason), "models", "ppocr");

    public static string Plate(string relativePath) => Path.Combine(SharedData.Root ?? throw new InvalidOperationException(MissingReason), "plates", relativePath);
}

/// <summary>A fact that needs the plate models and photos of ../shared; skipped with the reason when they are absent.</summary>
public sealed class PlateDataFactAttribute : FactAttribute
{
    public PlateDataFactAttribute()
    {
        if (!PlateData.Available) Skip = PlateData.MissingReason;
    }
}

/// <summary>A theory that needs the plate models and photos of ../shared; skipped with the reason when they are absent.</summary>
public sealed class PlateDataTheoryAttribute : TheoryAttribute
{
    public PlateDataTheoryAttribute()
    {
        if (!PlateData.Available) Skip = PlateData.MissingReason;
    }
}
