using System.Globalization;
using OpenCvSharp;

namespace Vision.Models.Imaging;

/// <summary>
/// The one way Vision turns an image file (or image bytes) into BGR pixels: the header is read first (<see cref="ImageHeader"/>),
/// an image beyond the <see cref="ImageLimits"/> or cut short is refused before decoding, and whatever OpenCV says about
/// the rest comes back as an <see cref="ImageRejectedException"/> naming the image, never as OpenCV's own exception.
/// </summary>
public static class ImageDecoder
{
    /// <summary>The formats read, for messages.</summary>
    public const string Formats = "JPEG, PNG, BMP, TIFF, WebP";

    /// <summary>The file at <paramref name="path"/>, decoded as 8-bit BGR.</summary>
    /// <exception cref="ImageRejectedException">Missing, unreadable, not an image of <see cref="Formats"/>, beyond the limits, truncated or damaged.</exception>
    public static Mat Read(string path, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        if (Directory.Exists(path))
            throw new ImageRejectedException(path, ImageRejection.NotAnImage, $"'{path}' is a folder, not an image: pass the photo files in it");
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new ImageRejectedException(path, ImageRejection.Missing,
                $"image '{path}' does not exist: check the path (relative paths start from {Environment.CurrentDirectory})");
        if (file.Length > limits.MaxFileBytes)
            throw new ImageRejectedException(path, ImageRejection.TooLarge, string.Create(CultureInfo.InvariantCulture,
                $"'{path}' is {file.Length / 1048576.0:0.#} MiB, more than the {limits.MaxFileBytes / 1048576.0:0.#} MiB an image may be: not read; scale the photo down or save it as JPEG"));
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageRejectedException(path, ImageRejection.Unreadable, $"'{path}' cannot be read ({e.Message}): check its permissions", e);
        }
        return Decode(bytes, path, limits);
    }

    /// <summary>Image bytes held in memory (<paramref name="name"/> says what they are, for the message), decoded as 8-bit BGR.</summary>
    /// <exception cref="ImageRejectedException">Not an image of <see cref="Formats"/>, beyond the limits, truncated or damaged.</exception>
    public static Mat Decode(byte[] image, string name, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        limits ??= ImageLimits.Default;
        var header = ImageHeader.Read(image)
            ?? throw new ImageRejectedException(name, ImageRejection.NotAnImage, $"'{name}' is not an image Vision can read ({Formats}): convert it or pass another file");
        string format = header.Format.ToString().ToUpperInvariant();
        if (!limits.Allows(header.Width, header.Height))
            throw new ImageRejectedException(name, ImageRejection.TooLarge, string.Create(CultureInfo.InvariantCulture,
                $"'{name}' declares {header.Width}×{header.Height} pixels ({header.Width * header.Height / 1_000_000.0:0.#} megapixels), beyond the limit of {limits}: not decoded; scale the photo down (a plate photo needs no more than 4096 pixels a side) and read it again"));
        if (header.Truncated is { } truncated)
            throw new ImageRejectedException(name, ImageRejection.Truncated,
                $"'{name}' is truncated: {truncated} ({image.Length} bytes); the file was cut short: copy it again from where it came from");
        if (header.Damaged is { } damaged)
            throw new ImageRejectedException(name, ImageRejection.Damaged, $"'{name}' is a damaged {format}: {damaged}; copy it again or pass another file");

        Mat decoded;
        try
        {
            decoded = Cv2.ImDecode(image, ImreadModes.Color);
        }
        catch (Exception e) when (e is OpenCVException or OpenCvSharpException)
        {
            throw new ImageRejectedException(name, ImageRejection.Damaged, $"'{name}' could not be decoded as {format} ({FirstLine(e.Message)}): the file is damaged or uses a variant OpenCV does not read; convert it (e.g. to PNG)", e);
        }
        if (decoded.Empty())
        {
            decoded.Dispose();
            throw new ImageRejectedException(name, ImageRejection.Damaged, $"'{name}' could not be decoded as {format}: the file is damaged or uses a variant OpenCV does not read; convert it (e.g. to PNG)");
        }
        return decoded;
    }

    private static string FirstLine(string text)
    {
        int cut = text.IndexOf('\n', StringComparison.Ordinal);
        return (cut < 0 ? text : text[..cut]).Trim();
    }
}
