using System.Buffers.Binary;
using System.IO.Compression;

namespace Vision.TestSupport;

/// <summary>
/// Small image files whose headers lie about their size, as a hostile tester crafts them: a few hundred bytes that
/// declare 30000×30000 or 65500×65500 pixels. Built byte by byte (no decoder involved), valid in every other respect.
/// </summary>
public static class HostileImages
{
    /// <summary>A PNG whose IHDR declares <paramref name="width"/>×<paramref name="height"/> RGB pixels, with one short IDAT and IEND (CRCs correct).</summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per sample
        header[9] = 2; // RGB
        Chunk(file, "IHDR", header);
        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(new byte[4096]);
            Chunk(file, "IDAT", pixels.ToArray());
        }
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>A whole baseline JPEG (a grey 16×16 from ffmpeg: tables, one scan, EOI) whose frame header (SOF0) declares <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static byte[] JpegDeclaring(int width, int height)
    {
        byte[] file = Convert.FromHexString(
            "ffd8ffe000104a46494600010200000100010000fffe00104c61766335392e33372e31303000ffdb004300083e3e493e49555555555555645d6468686864646464"
            + "686868707070838383707070686870707c7c83838f938f8787838793939b9b9bbabab2b2d9d9e0ffffffffc4004a0001000000000000000000000000000000000101"
            + "00000000000000000000000000000000100100000000000000000000000000000000110100000000000000000000000000000000ffc0001108001000100301220002"
            + "1100031100ffda000c03010002110311003f00000fffd9");
        int frame = file.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(frame + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan(frame + 7), (ushort)width);
        return file;
    }

    /// <summary>The first half of <paramref name="file"/>: a copy cut short.</summary>
    public static byte[] FirstHalf(byte[] file) => file[..(file.Length / 2)];

    private static void Chunk(Stream file, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        byte[] typed = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        file.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        file.Write(word);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
