namespace Vision.Models;

/// <summary>Turns one image's slice of a detector output tensor into scored boxes in frame pixels.</summary>
public interface IDetectionDecoder
{
    /// <summary>
    /// Appends to <paramref name="candidates"/> every box whose score is at least <paramref name="minScore"/>, with its best class,
    /// mapped to frame pixels by <paramref name="letterbox"/>; boxes that fall wholly outside the frame are dropped. No NMS.
    /// </summary>
    void Decode(ReadOnlySpan<float> output, in LetterboxTransform letterbox, float minScore, List<Detection> candidates);
}
