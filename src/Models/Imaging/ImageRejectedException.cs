namespace Vision.Models.Imaging;

/// <summary>Why <see cref="ImageDecoder"/> would not give an image's pixels.</summary>
public enum ImageRejection { Missing, Unreadable, NotAnImage, TooLarge, Truncated, Damaged }

/// <summary>An image Vision will not decode; the message names the image, says what is wrong with it and what to do.</summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(string image, ImageRejection reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Image = image;
        Reason = reason;
    }

    /// <summary>The file's path, or what the bytes are (for an image held in memory).</summary>
    public string Image { get; }

    public ImageRejection Reason { get; }
}
