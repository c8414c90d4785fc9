namespace Vision.Cases;

/// <summary>
/// One evidence photo: the annotated copy (<c>File</c>: zone and box lines on the picture, the caption on a strip below
/// it) and, from schema 2 on, its untouched <see cref="Original"/>, where the picture came from, its size and its
/// anti-forgery code. The close-up's original is the confirmation photo's (it is cropped from that frame).
/// </summary>
public sealed record EvidencePhoto(string File, string Key, string Sha256, string Role, string TakenAt)
{
    public EvidenceOriginal? Original { get; init; }

    /// <summary>The picture's size in pixels (the original's; the annotated copy adds its caption strip below).</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    /// <summary>
    /// <c>recording</c> (the original video, full resolution), <c>analysis_frame</c> (the scaled analysis frame: the
    /// recording was not available) or <c>learned_scene</c> (the reference photo: the empty scene new-object detection learned).
    /// </summary>
    public string? Source { get; init; }

    /// <summary>Why the photo is not from the recording; null when it is.</summary>
    public string? SourceNote { get; init; }

    /// <summary>The code on the caption strip, derived from the original's SHA-256.</summary>
    public string? AntiForgeryCode { get; init; }

    /// <summary>For the close-up: the rectangle of the original it shows (original pixels).</summary>
    public PixelBox? Crop { get; init; }
}
