using System.Text;
using Vision.Dispatch;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>The webhook signing scheme: the exact signature format, and every way <see cref="WebhookSignature.Verify"/> refuses.</summary>
public sealed class WebhookSignatureTests
{
    private const string KeyHex = "5f2a9c0e4b7d1a3c6e8f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d";
    private const string KeyBase64 = "XyqcDkt9GjxujwstSmyODxo7XH2eHypLbI0OL0prjA0=";
    private const long Timestamp = 1767225600; // 2026-01-01T00:00:00Z

    // From openssl, not from the code under test:
    // printf '%s' '1767225600.{"caseId":"c-1"}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<KeyHex>
    private const string KnownSignature = "v1=990df26c47e3d92c35bb430a24fdcc7b2da41d702b8a4a7a8cb490acbe9cdefd";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"caseId":"c-1"}""");
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static WebhookSignature Signature(string keyHex = KeyHex) => new("k1", Convert.FromHexString(keyHex));

    [Fact]
    public void The_signature_is_v1_and_the_lower_hex_hmac_sha256_of_the_timestamp_a_dot_and_the_body()
    {
        Assert.Equal(KnownSignature, Signature().Sign(Timestamp, Body));
        Assert.Equal("1767225600", WebhookSignature.FormatTimestamp(Timestamp));
    }

    [Fact]
    public void A_signed_delivery_verifies_within_the_tolerance_either_side()
    {
        var signature = Signature();
        string value = signature.Sign(Timestamp, Body);
        Assert.Equal(VerificationResult.Valid, signature.Verify("1767225600", value, Body, SignedAt, Tolerance));
        Assert.Equal(VerificationResult.Valid, signature.Verify("1767225600", value, Body, SignedAt + Tolerance, Tolerance));
        Assert.Equal(VerificationResult.Valid, signature.Verify("1767225600", value, Body, SignedAt - Tolerance, Tolerance));
    }

    [Fact]
    public void A_timestamp_past_the_tolerance_is_too_old_or_too_new()
    {
        var signature = Signature();
        string value = signature.Sign(Timestamp, Body);
        var oneSecond = TimeSpan.FromSeconds(1);
        Assert.Equal(VerificationResult.TooOld, signature.Verify("1767225600", value, Body, SignedAt + Tolerance + oneSecond, Tolerance));
        Assert.Equal(VerificationResult.TooNew, signature.Verify("1767225600", value, Body, SignedAt - Tolerance - oneSecond, Tolerance));
    }

    [Theory]
    [InlineData(null, KnownSignature)]
    [InlineData("", KnownSignature)]
    [InlineData("1767225600", null)]
    [InlineData("1767225600", "")]
    public void A_missing_header_is_reported_as_missing(string? timestamp, string? signature)
    {
        Assert.Equal(VerificationResult.MissingHeader, Signature().Verify(timestamp, signature, Body, SignedAt, Tolerance));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", KnownSignature)]
    [InlineData("-1767225600", KnownSignature)]
    [InlineData(" 1767225600", KnownSignature)]
    [InlineData("1767225600.5", KnownSignature)]
    [InlineData("1767225600", "990df26c47e3d92c35bb430a24fdcc7b2da41d702b8a4a7a8cb490acbe9cdefd")]
    [InlineData("1767225600", "v2=990df26c47e3d92c35bb430a24fdcc7b2da41d702b8a4a7a8cb490acbe9cdefd")]
    [InlineData("1767225600", "v1=990df26c47e3d92c35bb430a24fdcc7b2da41d702b8a4a7a8cb490acbe9cdef")]
    [InlineData("1767225600", "v1=zz0df26c47e3d92c35bb430a24fdcc7b2da41d702b8a4a7a8cb490acbe9cdefd")]
    [InlineData("1767225600", "v1=mQ3ybEfj2Sw1u0MKJP3Mey2kHXArikp6jLSQrL6c3v0=")]
    public void A_malformed_timestamp_or_signature_is_reported_as_bad_format(string timestamp, string signature)
    {
        Assert.Equal(VerificationResult.BadFormat, Signature().Verify(timestamp, signature, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Another_key_a_changed_body_byte_or_a_changed_timestamp_is_a_mismatch()
    {
        var signature = Signature();
        Assert.Equal(VerificationResult.Mismatch,
            Signature("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff").Verify("1767225600", KnownSignature, Body, SignedAt, Tolerance));

        byte[] changed = Body.ToArray();
        changed[^2] ^= 0x01;
        Assert.Equal(VerificationResult.Mismatch, signature.Verify("1767225600", KnownSignature, changed, SignedAt, Tolerance));
        Assert.Equal(VerificationResult.Mismatch, signature.Verify("1767225601", KnownSignature, Body, SignedAt, Tolerance));
        // The same number written differently is another signed text.
        Assert.Equal(VerificationResult.Mismatch, signature.Verify("01767225600", KnownSignature, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void A_forged_delivery_with_a_stale_timestamp_is_a_mismatch_not_merely_too_old()
    {
        var forged = Signature("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff").Sign(Timestamp, Body);
        Assert.Equal(VerificationResult.Mismatch, Signature().Verify("1767225600", forged, Body, SignedAt.AddHours(1), Tolerance));
    }

    [Fact]
    public void Upper_case_hex_from_a_lenient_signer_still_verifies()
    {
        string upper = "v1=" + KnownSignature["v1=".Length..].ToUpperInvariant();
        Assert.Equal(VerificationResult.Valid, Signature().Verify("1767225600", upper, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void The_key_comes_from_the_environment_as_hex_or_base64_with_key_id_k1_by_default()
    {
        Assert.Null(WebhookSignature.FromVariables(_ => null));
        Assert.Null(WebhookSignature.FromVariables(_ => "  "));

        var fromHex = WebhookSignature.FromVariables(Variables(KeyHex, null));
        var fromBase64 = WebhookSignature.FromVariables(Variables(" " + KeyBase64 + "\n", "city-2026"));
        Assert.NotNull(fromHex);
        Assert.NotNull(fromBase64);
        Assert.Equal("k1", fromHex.KeyId);
        Assert.Equal("city-2026", fromBase64.KeyId);
        Assert.Equal(KnownSignature, fromHex.Sign(Timestamp, Body));
        Assert.Equal(KnownSignature, fromBase64.Sign(Timestamp, Body));
    }

    [Theory]
    [InlineData("not a key!", "neither hex nor base64")]
    [InlineData("00112233445566778899aabbccddee", "at least 16 bytes")]
    [InlineData("AAECAwQFBgcICQ==", "at least 16 bytes")]
    public void An_unusable_key_is_refused_with_a_message_that_names_the_variable(string key, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => WebhookSignature.FromVariables(Variables(key, null)));
        Assert.Contains(WebhookSignature.KeyVariable, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("key one")]
    [InlineData("k1\r\nX-Injected: 1")]
    public void A_key_id_that_cannot_be_a_header_value_is_refused(string keyId)
    {
        Assert.Throws<ArgumentException>(() => new WebhookSignature(keyId, Convert.FromHexString(KeyHex)));
    }

    private static Func<string, string?> Variables(string? key, string? keyId) => name => name switch
    {
        WebhookSignature.KeyVariable => key,
        WebhookSignature.KeyIdVariable => keyId,
        _ => null,
    };
}
