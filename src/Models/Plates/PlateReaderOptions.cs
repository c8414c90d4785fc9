namespace Vision.Models.Plates;

/// <summary>The plate reader's generic thresholds (defaults measured on ../shared/plates, see README "Plate reading").</summary>
public sealed record PlateReaderOptions
{
    /// <summary>Text probability above which a detector pixel is text.</summary>
    public float PixelThreshold { get; init; } = 0.3f;

    /// <summary>Mean text probability a detected region needs to be kept.</summary>
    public float BoxThreshold { get; init; } = 0.6f;

    /// <summary>How far a detected region is grown back to the text's extent (DBNet's unclip ratio).</summary>
    public float UnclipRatio { get; init; } = 1.5f;

    /// <summary>The detector sees the image with its long side at most this (larger images are scaled down).</summary>
    public int MaxDetectionSide { get; init; } = 1920;

    /// <summary>Smaller images are scaled up so the detector sees a long side of this (a cut-out plate, a far vehicle).</summary>
    public int MinDetectionSide { get; init; } = 640;

    /// <summary>Width over height a text line needs to be a plate candidate (a plate is about 3.1–3.4, one line).</summary>
    public float MinLineAspect { get; init; } = 1.5f;

    /// <summary>The weakest character's probability a plate needs; below it the reading is refused, never corrected.</summary>
    public float MinCharacterConfidence { get; init; } = 0.8f;

    /// <summary>Share of the vehicle box, from its top, above which no plate is looked for.</summary>
    public float VehicleSearchTop { get; init; } = 0.4f;

    /// <summary>ONNX Runtime threads per model (0: its default, all cores).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Use the 0°/180° classifier when its file is present.</summary>
    public bool UseOrientationClassifier { get; init; } = true;

    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void Validate()
    {
        Range(PixelThreshold, 0, 1, nameof(PixelThreshold));
        Range(BoxThreshold, 0, 1, nameof(BoxThreshold));
        Range(UnclipRatio, 0, 5, nameof(UnclipRatio));
        Range(MinCharacterConfidence, 0, 1, nameof(MinCharacterConfidence));
        Range(VehicleSearchTop, 0, 0.95, nameof(VehicleSearchTop));
        if (MinDetectionSide < 32 || MaxDetectionSide < MinDetectionSide)
            throw new ArgumentOutOfRangeException(nameof(MaxDetectionSide), $"detection sides must satisfy 32 <= min ({MinDetectionSide}) <= max ({MaxDetectionSide})");
        if (IntraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), "must be 0 (default) or more");
    }

    private static void Range(double value, double min, double max, string name)
    {
        if (value < min || value > max) throw new ArgumentOutOfRangeException(name, $"{name} must be in [{min}, {max}], got {value}");
    }
}
