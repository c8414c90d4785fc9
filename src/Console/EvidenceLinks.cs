using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vision.ReviewConsole;

/// <summary>
/// Short-lived links to evidence served through the host: <c>/evidence/{case}/{file}?exp=…&amp;sig=…</c>, an HMAC over
/// case, file and expiry with a key that lives only in this process. A link works for a signed-in user until it
/// expires; copied out of the console it is useless, and a restart invalidates all links. For an S3 store the host
/// answers with a redirect to a presigned URL of the same short lifetime, so objects are never public.
/// </summary>
public sealed class EvidenceLinks(TimeSpan lifetime, TimeProvider clock, byte[]? key = null)
{
    // A node alone signs with a key of its own; the nodes of a cluster share one, so a link works on any of them.
    private readonly byte[] _key = key ?? RandomNumberGenerator.GetBytes(32);

    public TimeSpan Lifetime => lifetime;

    public string For(string caseId, string file)
    {
        long exp = (clock.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        return $"/evidence/{Uri.EscapeDataString(caseId)}/{Uri.EscapeDataString(file)}?exp={exp.ToString(CultureInfo.InvariantCulture)}&sig={Sign(caseId, file, exp)}";
    }

    /// <summary>Null when the link is valid now; otherwise why not.</summary>
    public string? Check(string caseId, string file, string? exp, string? sig)
    {
        if (!long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out long expiry) || string.IsNullOrEmpty(sig)) return "the link is incomplete";
        byte[] expected = Encoding.ASCII.GetBytes(Sign(caseId, file, expiry));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(sig))) return "the link is not valid";
        return clock.GetUtcNow().ToUnixTimeSeconds() > expiry ? "the link has expired: reload the case" : null;
    }

    private string Sign(string caseId, string file, long exp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{caseId}\n{file}\n{exp.ToString(CultureInfo.InvariantCulture)}")));
}
