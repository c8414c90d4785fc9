using System.Text.RegularExpressions;

namespace Vision.ReviewConsole;

/// <summary>
/// Where the sign-in page may send the browser afterwards: only a path on this site written in plain URL characters.
/// Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil.host" or "/\evil.host" would become
/// "//evil.host", another site; anything but a single leading "/" followed by unreserved, sub-delimiter, ":", "@", "%",
/// "/", "?" and "#" characters goes to "/". login.js applies the same rule.
/// </summary>
public static partial class LocalReturnPath
{
    public const string Home = "/";

    public static string Sanitize(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2048 || !SafePath().IsMatch(returnUrl)) return Home;
        if (LoginPage().IsMatch(returnUrl)) return Home; // back to the sign-in page would loop
        return returnUrl;
    }

    [GeneratedRegex(@"^/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafePath();

    [GeneratedRegex(@"^/login(?:[/?#]|$)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LoginPage();
}
