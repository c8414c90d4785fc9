using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vision.Dispatch;

/// <summary>
/// Signs webhook deliveries to the city's dispatch core, and verifies them on the receiving side.
/// </summary>
/// <remarks>
/// <para>Every delivery carries these headers:</para>
/// <list type="bullet">
/// <item><c>X-Vision-Timestamp: &lt;unix seconds&gt;</c>: when the delivery was signed, as a decimal integer (e.g. <c>1767225600</c>).</item>
/// <item><c>X-Vision-Key-Id: &lt;key id&gt;</c>: which shared key signed it (<c>VISION_DISPATCH_KEY_ID</c>, default <c>k1</c>), so keys can be rotated.</item>
/// <item><c>X-Vision-Signature: v1=&lt;hex&gt;</c>: the lower-case hex HMAC-SHA256, under the shared key, of the ASCII timestamp
/// (exactly as sent in <c>X-Vision-Timestamp</c>), a full stop, and then the raw request body bytes:
/// <c>HMAC-SHA256(key, "&lt;timestamp&gt;." + body)</c>. The <c>v1</c> prefix names this scheme.</item>
/// <item><c>Idempotency-Key: &lt;case id&gt;</c>: the same on every retry of one case, so the receiver creates the case once
/// (set by the sender, not by this type).</item>
/// </list>
/// <para>
/// A receiver recomputes the HMAC over the body exactly as received (before any JSON parsing), compares it in constant time,
/// and rejects a timestamp further than its tolerance (e.g. 5 minutes) from its own clock in either direction, which bounds
/// how long a captured delivery can be replayed. The key comes from the environment (never from the config file, never
/// logged): <c>VISION_DISPATCH_KEY</c>, hex or base64, at least 16 bytes (make one with <c>openssl rand -hex 32</c>).
/// </para>
/// </remarks>
public sealed class WebhookSignature
{
    public const string KeyVariable = "VISION_DISPATCH_KEY";
    public const string KeyIdVariable = "VISION_DISPATCH_KEY_ID";

    public const string TimestampHeader = "X-Vision-Timestamp";
    public const string KeyIdHeader = "X-Vision-Key-Id";
    public const string SignatureHeader = "X-Vision-Signature";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The key id used when <see cref="KeyIdVariable"/> is not set.</summary>
    public const string DefaultKeyId = "k1";

    private const string SchemePrefix = "v1=";
    private const int MinimumKeyBytes = 16;
    private const int HmacHexLength = 2 * HMACSHA256.HashSizeInBytes;

    private readonly byte[] _key;

    /// <exception cref="ArgumentException">The key is shorter than 16 bytes, or the key id is empty or not a plain header token.</exception>
    public WebhookSignature(string keyId, byte[] key)
    {
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"{KeyVariable} must be at least {MinimumKeyBytes} bytes ({2 * MinimumKeyBytes} hex characters): generate one with 'openssl rand -hex 32'", nameof(key));
        if (keyId.Length == 0 || !keyId.All(c => c is > ' ' and < (char)0x7F))
            throw new ArgumentException($"{KeyIdVariable} '{keyId}' must be non-empty printable ASCII without spaces (it is sent as the {KeyIdHeader} header)", nameof(keyId));
        KeyId = keyId;
        _key = key.ToArray();
    }

    /// <summary>The value sent as <c>X-Vision-Key-Id</c>.</summary>
    public string KeyId { get; }

    /// <summary>The configured signature, or null when <c>VISION_DISPATCH_KEY</c> is not set.</summary>
    /// <exception cref="ArgumentException">The key is set but unusable; the message says how to make one.</exception>
    public static WebhookSignature? FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary><see cref="FromEnvironment"/> reading variables through <paramref name="variable"/> (tests need not touch the process environment).</summary>
    internal static WebhookSignature? FromVariables(Func<string, string?> variable)
    {
        string? text = variable(KeyVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        string keyId = variable(KeyIdVariable) is { Length: > 0 } id ? id.Trim() : DefaultKeyId;
        return new WebhookSignature(keyId, Decode(text.Trim()));
    }

    /// <summary>The <c>X-Vision-Signature</c> value, <c>v1=&lt;64 lower-case hex digits&gt;</c>, for a delivery sent with <c>X-Vision-Timestamp: <paramref name="unixSeconds"/></c>.</summary>
    public string Sign(long unixSeconds, ReadOnlySpan<byte> body) => SchemePrefix + Convert.ToHexStringLower(Hmac(FormatTimestamp(unixSeconds), body));

    /// <summary>The <c>X-Vision-Timestamp</c> value for <paramref name="unixSeconds"/>.</summary>
    public static string FormatTimestamp(long unixSeconds) => unixSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Checks a received delivery: its <c>X-Vision-Timestamp</c> and <c>X-Vision-Signature</c> header values (null when absent)
    /// against the raw <paramref name="body"/>, and the timestamp against <paramref name="now"/> within <paramref name="tolerance"/>.
    /// </summary>
    public VerificationResult Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return VerificationResult.MissingHeader;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out long unixSeconds)) return VerificationResult.BadFormat;
        if (!signature.StartsWith(SchemePrefix, StringComparison.Ordinal) || signature.Length != SchemePrefix.Length + HmacHexLength)
            return VerificationResult.BadFormat;
        byte[] given;
        try { given = Convert.FromHexString(signature.AsSpan(SchemePrefix.Length)); }
        catch (FormatException) { return VerificationResult.BadFormat; }

        // The MAC is checked before the clock so a forged delivery is never reported as merely stale.
        // It is computed over the timestamp text as received, so a re-formatted number (leading zeros) does not verify.
        if (!CryptographicOperations.FixedTimeEquals(Hmac(timestamp, body), given)) return VerificationResult.Mismatch;

        long nowSeconds = now.ToUnixTimeSeconds();
        long toleranceSeconds = (long)Math.Ceiling(tolerance.TotalSeconds);
        if (unixSeconds < nowSeconds - toleranceSeconds) return VerificationResult.TooOld;
        if (unixSeconds > nowSeconds + toleranceSeconds) return VerificationResult.TooNew;
        return VerificationResult.Valid;
    }

    private byte[] Hmac(string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
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

/// <summary>The outcome of <see cref="WebhookSignature.Verify"/>; anything but <see cref="Valid"/> means reject (HTTP 401).</summary>
public enum VerificationResult
{
    /// <summary>The signature matches the body and the timestamp is within tolerance.</summary>
    Valid,

    /// <summary><c>X-Vision-Timestamp</c> or <c>X-Vision-Signature</c> is absent or empty.</summary>
    MissingHeader,

    /// <summary>The timestamp is not a decimal integer, or the signature is not <c>v1=</c> and 64 hex digits.</summary>
    BadFormat,

    /// <summary>Correctly signed, but the timestamp is older than the tolerance allows (a late retry or a replayed capture).</summary>
    TooOld,

    /// <summary>Correctly signed, but the timestamp is further in the future than the tolerance allows (a clock ahead).</summary>
    TooNew,

    /// <summary>The signature does not match: another key, or a changed body or timestamp.</summary>
    Mismatch,
}
