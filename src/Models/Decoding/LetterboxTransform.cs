namespace Vision.Models;

/// <summary>
/// How one frame was placed in the model input (resized by <see cref="Scale"/>, pasted at <see cref="PadX"/>, <see cref="PadY"/>)
/// and how to map a box from model-input pixels back to frame pixels.
/// </summary>
public readonly record struct LetterboxTransform(
    float Scale,
    int PadX,
    int PadY,
    int ResizedWidth,
    int ResizedHeight,
    int FrameWidth,
    int FrameHeight)
{
    /// <summary>Fits a frame into the input keeping its aspect ratio, like YOLOX/YOLOv5 preprocessing.</summary>
    public static LetterboxTransform Fit(int frameWidth, int frameHeight, int inputWidth, int inputHeight, LetterboxAlignment alignment)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        float scale = MathF.Min(inputWidth / (float)frameWidth, inputHeight / (float)frameHeight);
        int resizedWidth = Math.Clamp((int)MathF.Round(frameWidth * scale), 1, inputWidth);
        int resizedHeight = Math.Clamp((int)MathF.Round(frameHeight * scale), 1, inputHeight);
        int padX = alignment == LetterboxAlignment.Center ? (inputWidth - resizedWidth) / 2 : 0;
        int padY = alignment == LetterboxAlignment.Center ? (inputHeight - resizedHeight) / 2 : 0;
        return new LetterboxTransform(scale, padX, padY, resizedWidth, resizedHeight, frameWidth, frameHeight);
    }

    /// <summary>Maps corners in model-input pixels to a box in frame pixels, clamped to the frame.</summary>
    public BoundingBox ToFrame(float x1, float y1, float x2, float y2)
    {
        float inverse = 1f / Scale;
        float left = Math.Clamp((x1 - PadX) * inverse, 0f, FrameWidth);
        float top = Math.Clamp((y1 - PadY) * inverse, 0f, FrameHeight);
        float right = Math.Clamp((x2 - PadX) * inverse, 0f, FrameWidth);
        float bottom = Math.Clamp((y2 - PadY) * inverse, 0f, FrameHeight);
        return BoundingBox.FromCorners(left, top, right, bottom);
    }

    /// <summary>Maps a centre/size box in model-input pixels to frame pixels, clamped to the frame.</summary>
    public BoundingBox CenterToFrame(float centerX, float centerY, float width, float height)
    {
        float halfWidth = width * 0.5f, halfHeight = height * 0.5f;
        return ToFrame(centerX - halfWidth, centerY - halfHeight, centerX + halfWidth, centerY + halfHeight);
    }
}
