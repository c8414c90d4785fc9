namespace Vision.Models.Imaging;

/// <summary>
/// The largest image Vision decodes; a larger one is refused from its header, before any pixel is decoded. The defaults
/// (16384 pixels a side, 80 megapixels, a 256 MiB file) hold every camera and phone photo (a 61-megapixel full-frame
/// camera included) and bound a decode to 240 MB of BGR pixels: a 1 MB PNG declaring 30000×30000 asked for 6 GB.
/// </summary>
public sealed record ImageLimits
{
    public static ImageLimits Default { get; } = new();

    /// <summary>Pixels along either side.</summary>
    public long MaxSide { get; init; } = 16384;

    /// <summary>Width × height.</summary>
    public long MaxPixels { get; init; } = 80_000_000;

    /// <summary>The file's size in bytes (it is read into memory whole).</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>True when a <paramref name="width"/>×<paramref name="height"/> image is within the limits.</summary>
    public bool Allows(long width, long height) => width <= MaxSide && height <= MaxSide && width * height <= MaxPixels;

    /// <summary>The limits in words, for messages.</summary>
    public override string ToString() =>
        $"{MaxSide} pixels a side and {MaxPixels / 1_000_000.0:0.#} megapixels";
}
