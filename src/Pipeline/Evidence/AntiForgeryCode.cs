using System.Security.Cryptography;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// The short code printed on each evidence photo's caption strip (防伪码): 8 base32 characters of HMAC-SHA256(evidence
/// key, SHA-256 of the photo's untouched original). Only the key's holder can make a code that matches a picture, and
/// anyone with the key (<c>vision evidence verify</c>) can check one. Without a key it is the first 40 bits of the
/// original's SHA-256 itself: it still ties the print to its picture, but anyone can compute it.
/// </summary>
internal static class AntiForgeryCode
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // RFC 4648 base32
    private const int Bytes = 5; // 40 bits = 8 characters

    /// <param name="originalSha256">The original's SHA-256 as lower-case hex (as the manifest lists it).</param>
    public static string For(ManifestSigner? signer, string originalSha256)
    {
        byte[] digest = Convert.FromHexString(originalSha256);
        byte[] code = signer is null ? digest : signer.Mac(digest);
        return Base32(code.AsSpan(0, Bytes));
    }

    /// <summary>The code as printed: two groups of four.</summary>
    public static string Printed(string code) => code.Length == 8 ? code[..4] + "-" + code[4..] : code;

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        ulong bits = 0;
        foreach (byte b in bytes) bits = (bits << 8) | b;
        Span<char> chars = stackalloc char[8];
        for (int i = 7; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
        return new string(chars);
    }
}
