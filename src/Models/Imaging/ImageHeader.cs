using System.Buffers.Binary;

namespace Vision.Models.Imaging;

/// <summary>The image file formats whose header <see cref="ImageHeader"/> reads (and so the only ones Vision decodes).</summary>
public enum ImageFormat { Jpeg, Png, Bmp, WebP, Tiff }

/// <summary>
/// What an image file declares, read from its bytes without decoding: the format and the size in pixels (0 where the
/// file ends before saying), and whether the file holds all of its data (<see cref="Truncated"/>) and its structure
/// holds together (<see cref="Damaged"/>). A JPEG must reach its end-of-image marker, a PNG its IEND chunk; a BMP, WebP
/// or TIFF the bytes its header points to. Decoders read a cut file as far as it goes and fill the rest with grey.
/// </summary>
public sealed record ImageHeader(ImageFormat Format, long Width, long Height)
{
    /// <summary>Where the data stops short, in words ("the JPEG ends before its end-of-image marker"); null when complete.</summary>
    public string? Truncated { get; init; }

    /// <summary>What in the structure is wrong, in words; null when it reads through.</summary>
    public string? Damaged { get; init; }

    /// <summary>The header of <paramref name="file"/> (its whole content); null when it is none of <see cref="ImageFormat"/>.</summary>
    public static ImageHeader? Read(ReadOnlySpan<byte> file)
    {
        if (file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF) return Jpeg(file);
        if (file.StartsWith(PngSignature)) return Png(file);
        if (file.Length >= 2 && file[0] == 'B' && file[1] == 'M') return Bmp(file);
        if (file.Length >= 12 && file[..4].SequenceEqual("RIFF"u8) && file[8..12].SequenceEqual("WEBP"u8)) return WebP(file);
        if (file.Length >= 4 && (file[..4].SequenceEqual("II*\0"u8) || file[..4].SequenceEqual("MM\0*"u8))) return Tiff(file);
        return null;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Walks the segments to the end-of-image marker; the size is in the frame header (SOFn).</summary>
    private static ImageHeader Jpeg(ReadOnlySpan<byte> f)
    {
        long width = 0, height = 0;
        bool frame = false;
        int pos = 2;
        while (true)
        {
            if (pos >= f.Length) return new(ImageFormat.Jpeg, width, height) { Truncated = "the JPEG ends before its end-of-image marker (EOI)" };
            // Bytes before a marker are skipped, as libjpeg does (with a warning); 0xFF fill bytes too.
            int ff = f[pos..].IndexOf((byte)0xFF);
            if (ff < 0) { pos = f.Length; continue; }
            pos += ff;
            while (pos < f.Length && f[pos] == 0xFF) pos++;
            if (pos >= f.Length) continue;
            byte marker = f[pos++];
            if (marker == 0xD9)
            {
                return !frame ? new(ImageFormat.Jpeg, 0, 0) { Damaged = "the JPEG has no frame header (SOF)" }
                    : height == 0 || width == 0 ? new(ImageFormat.Jpeg, width, height) { Damaged = "the JPEG's frame header declares no size" }
                    : new(ImageFormat.Jpeg, width, height);
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // standalone markers
            if (pos + 2 > f.Length) { pos = f.Length; continue; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(f[pos..]);
            if (length < 2) return new(ImageFormat.Jpeg, width, height) { Damaged = $"a JPEG segment at byte {pos} has length {length}" };
            if (pos + length > f.Length) return new(ImageFormat.Jpeg, width, height) { Truncated = "the JPEG ends inside a segment, before its end-of-image marker (EOI)" };
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && length >= 7 && !frame)
            {
                frame = true;
                height = BinaryPrimitives.ReadUInt16BigEndian(f[(pos + 3)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(f[(pos + 5)..]);
            }
            pos += length;
            if (marker == 0xDA) pos = EntropyCodedEnd(f, pos);
        }
    }

    /// <summary>The start of the marker after a scan's entropy-coded data (where 0xFF is only ever followed by 0x00 or a restart marker); the file's length when none.</summary>
    private static int EntropyCodedEnd(ReadOnlySpan<byte> f, int pos)
    {
        while (true)
        {
            int ff = f[pos..].IndexOf((byte)0xFF);
            if (ff < 0) return f.Length;
            pos += ff;
            if (pos + 1 >= f.Length) return f.Length;
            byte next = f[pos + 1];
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7) pos += 2;
            else if (next == 0xFF) pos++;
            else return pos;
        }
    }

    /// <summary>The size is in IHDR, the first chunk; the chunks are walked to IEND.</summary>
    private static ImageHeader Png(ReadOnlySpan<byte> f)
    {
        long width = 0, height = 0;
        if (f.Length >= 24 && f[12..16].SequenceEqual("IHDR"u8))
        {
            width = BinaryPrimitives.ReadUInt32BigEndian(f[16..]);
            height = BinaryPrimitives.ReadUInt32BigEndian(f[20..]);
        }
        else if (f.Length >= 16) return new(ImageFormat.Png, 0, 0) { Damaged = "the PNG does not start with its IHDR chunk" };
        long pos = PngSignature.Length;
        while (pos + 8 <= f.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(f[(int)pos..]);
            var type = f.Slice((int)pos + 4, 4);
            if (length > int.MaxValue) return new(ImageFormat.Png, width, height) { Damaged = $"a PNG chunk at byte {pos} declares {length} bytes" };
            long end = pos + 12 + length; // length, type, data, CRC
            if (end > f.Length)
                return new(ImageFormat.Png, width, height) { Truncated = $"the PNG ends inside its {System.Text.Encoding.ASCII.GetString(type)} chunk, before its IEND chunk" };
            if (type.SequenceEqual("IEND"u8)) return new(ImageFormat.Png, width, height);
            pos = end;
        }
        return new(ImageFormat.Png, width, height) { Truncated = "the PNG ends before its IEND chunk" };
    }

    /// <summary>The size is in the info header; the pixel rows (or, compressed, the declared data size) must follow the data offset.</summary>
    private static ImageHeader Bmp(ReadOnlySpan<byte> f)
    {
        if (f.Length < 26) return new(ImageFormat.Bmp, 0, 0) { Truncated = "the BMP ends inside its header" };
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(f[10..]);
        uint infoSize = BinaryPrimitives.ReadUInt32LittleEndian(f[14..]);
        long width, height;
        int bitsPerPixel;
        uint compression = 0, dataSize = 0;
        if (infoSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(f[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(f[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]);
        }
        else
        {
            if (f.Length < 38) return new(ImageFormat.Bmp, 0, 0) { Truncated = "the BMP ends inside its header" };
            width = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(f[18..]));
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(f[22..])); // negative: rows top-down
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(f[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(f[30..]);
            dataSize = BinaryPrimitives.ReadUInt32LittleEndian(f[34..]);
        }
        // Uncompressed (BI_RGB, BI_BITFIELDS): rows padded to 4 bytes; otherwise the header's own data size.
        long row = (width * bitsPerPixel + 31) / 32 * 4;
        long data = compression is not (0 or 3 or 6) ? dataSize : height > long.MaxValue / 2 / Math.Max(row, 1) ? long.MaxValue / 2 : row * height;
        return offset + data > f.Length
            ? new(ImageFormat.Bmp, width, height) { Truncated = $"the BMP ends before its pixel data does ({f.Length} of {offset + data} bytes)" }
            : new(ImageFormat.Bmp, width, height);
    }

    /// <summary>The size is in the first chunk (VP8 key frame, VP8L, or VP8X canvas); the RIFF size says how long the file is.</summary>
    private static ImageHeader WebP(ReadOnlySpan<byte> f)
    {
        long width = 0, height = 0;
        if (f.Length >= 30 && f[12..16].SequenceEqual("VP8 "u8) && f[23] == 0x9D && f[24] == 0x01 && f[25] == 0x2A)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(f[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(f[28..]) & 0x3FFF;
        }
        else if (f.Length >= 25 && f[12..16].SequenceEqual("VP8L"u8) && f[20] == 0x2F)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(f[21..]);
            width = (bits & 0x3FFF) + 1;
            height = ((bits >> 14) & 0x3FFF) + 1;
        }
        else if (f.Length >= 30 && f[12..16].SequenceEqual("VP8X"u8))
        {
            width = (f[24] | f[25] << 8 | f[26] << 16) + 1L;
            height = (f[27] | f[28] << 8 | f[29] << 16) + 1L;
        }
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(f[4..]) + 8L;
        if (declared > f.Length) return new(ImageFormat.WebP, width, height) { Truncated = $"the WebP ends before its RIFF container does ({f.Length} of {declared} bytes)" };
        return width == 0 ? new(ImageFormat.WebP, 0, 0) { Damaged = "the WebP has no VP8, VP8L or VP8X header" } : new(ImageFormat.WebP, width, height);
    }

    /// <summary>The size is in the first image file directory; its strips (or tiles) must lie inside the file.</summary>
    private static ImageHeader Tiff(ReadOnlySpan<byte> f)
    {
        bool little = f[0] == 'I';
        const string Cut = "the TIFF ends before its image data does";
        if (f.Length < 8) return new(ImageFormat.Tiff, 0, 0) { Truncated = Cut };
        long ifd = U32(f, 4, little);
        if (ifd + 2 > f.Length) return new(ImageFormat.Tiff, 0, 0) { Truncated = Cut };
        int entries = U16(f, (int)ifd, little);
        if (ifd + 2 + entries * 12L > f.Length) return new(ImageFormat.Tiff, 0, 0) { Truncated = Cut };
        long width = 0, height = 0;
        int offsets = -1, counts = -1;
        for (int i = 0; i < entries; i++)
        {
            int entry = (int)ifd + 2 + i * 12;
            int tag = U16(f, entry, little);
            if (tag is 256 or 257)
            {
                long value = U16(f, entry + 2, little) == 3 ? U16(f, entry + 8, little) : U32(f, entry + 8, little);
                if (tag == 256) width = value; else height = value;
            }
            else if (tag is 273 or 324) offsets = entry;
            else if (tag is 279 or 325) counts = entry;
        }
        if (width == 0 || height == 0 || offsets < 0 || counts < 0) return new(ImageFormat.Tiff, width, height) { Damaged = "the TIFF's first directory lacks its size or its strips" };
        long count = Math.Min(U32(f, offsets + 4, little), U32(f, counts + 4, little));
        long end = 0;
        for (long i = 0; i < count; i++)
        {
            if (TiffValue(f, offsets, i, little) is not { } start || TiffValue(f, counts, i, little) is not { } bytes)
                return new(ImageFormat.Tiff, width, height) { Truncated = Cut };
            end = Math.Max(end, start + bytes);
        }
        return end > f.Length ? new(ImageFormat.Tiff, width, height) { Truncated = $"{Cut} ({f.Length} of {end} bytes)" } : new(ImageFormat.Tiff, width, height);
    }

    /// <summary>Value <paramref name="index"/> of a SHORT or LONG array entry (inline when it fits in 4 bytes); null when it lies past the end.</summary>
    private static long? TiffValue(ReadOnlySpan<byte> f, int entry, long index, bool little)
    {
        bool isShort = U16(f, entry + 2, little) == 3;
        long count = U32(f, entry + 4, little);
        int size = isShort ? 2 : 4;
        long at = (count * size <= 4 ? entry + 8 : U32(f, entry + 8, little)) + index * size;
        if (at + size > f.Length) return null;
        return isShort ? U16(f, (int)at, little) : U32(f, (int)at, little);
    }

    private static int U16(ReadOnlySpan<byte> f, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(f[at..]) : BinaryPrimitives.ReadUInt16BigEndian(f[at..]);

    private static long U32(ReadOnlySpan<byte> f, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(f[at..]) : BinaryPrimitives.ReadUInt32BigEndian(f[at..]);
}
