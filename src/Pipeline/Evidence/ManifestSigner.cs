using System.Security.Cryptography;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// Signs case manifests with HMAC-SHA256 so any change to a manifest (and through its hashes, to any
/// evidence file) is detectable. The key comes from the environment (never from the config file, never
/// logged): <c>VISION_EVIDENCE_KEY</c> (hex or base64, at least 16 bytes) and <c>VISION_EVIDENCE_KEY_ID</c>.
/// </summary>
internal sealed class ManifestSigner
{
    public const string KeyVariable = "VISION_EVIDENCE_KEY";
    public const string KeyIdVariable = "VISION_EVIDENCE_KEY_ID";

    private readonly byte[] _key;

    public ManifestSigner(string keyId, byte[] key)
    {
        if (key.Length < 16) throw new ArgumentException($"{KeyVariable} must be at least 16 bytes (32 hex characters)");
        KeyId = keyId;
        _key = key;
    }

    public string KeyId { get; }

    /// <summary>The configured signer, or null when no key is set (manifests are then written unsigned).</summary>
    /// <exception cref="ArgumentException">The key is set but unusable; the message says how to make one.</exception>
    public static ManifestSigner? FromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        string keyId = Environment.GetEnvironmentVariable(KeyIdVariable) is { Length: > 0 } id ? id : "k1";
        return new ManifestSigner(keyId, Decode(text.Trim()));
    }

    public string Sign(ReadOnlySpan<byte> canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, canonical));

    /// <summary>HMAC-SHA256 of <paramref name="data"/> with the evidence key (the photos' anti-forgery codes).</summary>
    public byte[] Mac(ReadOnlySpan<byte> data) => HMACSHA256.HashData(_key, data);

    public bool Verify(ReadOnlySpan<byte> canonical, string signature)
    {
        byte[] expected = HMACSHA256.HashData(_key, canonical);
        byte[] given;
        try { given = Convert.FromHexString(signature); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[] Decode(string text)
    {
        try
        {
            return text.Length % 2 == 0 && text.All(Uri.IsHexDigit) ? Convert.FromHexString(text) : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{KeyVariable} is neither hex nor base64: generate one with 'openssl rand -hex 32'");
        }
    }
}
