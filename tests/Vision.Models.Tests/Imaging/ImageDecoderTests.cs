using OpenCvSharp;
using Vision.Models.Imaging;

namespace Vision.Models.Tests.Imaging;

/// <summary>Every image Vision reads goes through <see cref="ImageDecoder"/>: sizes come from the header, cut files are named truncated, OpenCV never throws through.</summary>
public sealed class ImageDecoderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vision-image-").FullName;

    [Fact]
    public void A_png_declaring_30000_by_30000_is_refused_from_its_header_with_the_size_and_the_limit()
    {
        string path = Write("huge.png", HostileImages.PngDeclaring(30000, 30000));

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read(path));

        Assert.Equal(ImageRejection.TooLarge, refused.Reason);
        Assert.Equal(path, refused.Image);
        Assert.Contains($"'{path}' declares 30000×30000 pixels (900 megapixels)", refused.Message);
        Assert.Contains("beyond the limit of 16384 pixels a side and 80 megapixels", refused.Message);
        Assert.Contains("scale the photo down", refused.Message);
    }

    [Fact]
    public void A_jpeg_declaring_65500_by_65500_is_refused_as_too_large_not_thrown_by_opencv()
    {
        string path = Write("huge.jpg", HostileImages.JpegDeclaring(65500, 65500));

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read(path));

        Assert.Equal(ImageRejection.TooLarge, refused.Reason);
        Assert.Contains("declares 65500×65500 pixels", refused.Message);
        Assert.Null(refused.InnerException);
    }

    [Theory]
    [InlineData(16384, 4096, true)]
    [InlineData(16385, 10, false)]
    [InlineData(10, 16385, false)]
    [InlineData(10000, 8000, true)]
    [InlineData(10000, 8001, false)]
    public void The_limits_are_16384_pixels_a_side_and_80_megapixels(int width, int height, bool allowed) =>
        Assert.Equal(allowed, ImageLimits.Default.Allows(width, height));

    [Theory]
    [InlineData(".jpg", ImageFormat.Jpeg)]
    [InlineData(".png", ImageFormat.Png)]
    [InlineData(".bmp", ImageFormat.Bmp)]
    [InlineData(".webp", ImageFormat.WebP)]
    [InlineData(".tiff", ImageFormat.Tiff)]
    public void Each_format_declares_its_size_and_a_whole_file_decodes(string extension, ImageFormat format)
    {
        byte[] file = Encode(extension);

        var header = HeaderOf(file);

        Assert.Equal(new ImageHeader(format, 96, 64), header);
        Assert.Null(header.Truncated);
        Assert.Null(header.Damaged);
        using var image = ImageDecoder.Decode(file, "picture" + extension);
        Assert.Equal((96, 64), (image.Width, image.Height));
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".png")]
    [InlineData(".bmp")]
    [InlineData(".webp")]
    [InlineData(".tiff")]
    public void Each_format_cut_in_half_is_refused_as_truncated(string extension)
    {
        byte[] half = HostileImages.FirstHalf(Encode(extension));

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Decode(half, "picture" + extension));

        Assert.Equal(ImageRejection.Truncated, refused.Reason);
        Assert.StartsWith($"'picture{extension}' is truncated: ", refused.Message);
        Assert.Contains("copy it again", refused.Message);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 2)]
    public void A_jpeg_is_whole_whatever_its_scans_and_restart_markers(bool progressive, int restartInterval)
    {
        using var picture = Noise();
        Cv2.ImEncode(".jpg", picture, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegProgressive, progressive ? 1 : 0),
            new ImageEncodingParam(ImwriteFlags.JpegRstInterval, restartInterval));
        byte[] withTrailer = [.. jpeg, .. "trailing bytes after EOI"u8.ToArray()];

        Assert.Null(HeaderOf(jpeg).Truncated);
        Assert.Null(HeaderOf(withTrailer).Truncated);
        Assert.NotNull(HeaderOf(jpeg[..^2]).Truncated);
    }

    [Fact]
    public void Bytes_that_are_no_image_are_refused_as_not_an_image()
    {
        string path = Write("notes.jpg", "not a photo"u8.ToArray());

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read(path));

        Assert.Equal(ImageRejection.NotAnImage, refused.Reason);
        Assert.Equal($"'{path}' is not an image Vision can read (JPEG, PNG, BMP, TIFF, WebP): convert it or pass another file", refused.Message);
    }

    [Fact]
    public void A_missing_file_is_named_with_where_relative_paths_start()
    {
        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read("missing.jpg"));

        Assert.Equal(ImageRejection.Missing, refused.Reason);
        Assert.StartsWith("image 'missing.jpg' does not exist: check the path", refused.Message);
    }

    [Fact]
    public void A_file_beyond_the_byte_limit_is_not_read_at_all()
    {
        string path = Write("big.png", new byte[2048]);

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read(path, new ImageLimits { MaxFileBytes = 1024 }));

        Assert.Equal(ImageRejection.TooLarge, refused.Reason);
        Assert.Contains("more than the", refused.Message);
    }

    [PlateDataFact]
    public void A_real_plate_photo_cut_in_half_is_refused_as_truncated()
    {
        string path = Write("half.jpg", HostileImages.FirstHalf(File.ReadAllBytes(PlateData.Plate("scenes/ccpd_007.jpg"))));

        var refused = Assert.Throws<ImageRejectedException>(() => ImageDecoder.Read(path));

        Assert.Equal(ImageRejection.Truncated, refused.Reason);
        Assert.Contains("the JPEG ends", refused.Message);
        using var whole = ImageDecoder.Read(PlateData.Plate("scenes/ccpd_007.jpg"));
        Assert.False(whole.Empty());
    }

    private static ImageHeader HeaderOf(byte[] file) => ImageHeader.Read(file) ?? throw new InvalidOperationException("no header");

    /// <summary>96×64 of noise (so that the encoded file is not a few bytes of one colour) in the format of <paramref name="extension"/>.</summary>
    private static byte[] Encode(string extension)
    {
        using var picture = Noise();
        Assert.True(Cv2.ImEncode(extension, picture, out var file));
        return file;
    }

    private static Mat Noise()
    {
        var picture = new Mat(64, 96, MatType.CV_8UC3);
        Cv2.Randu(picture, Scalar.All(0), Scalar.All(255));
        return picture;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
