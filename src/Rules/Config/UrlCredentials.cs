using System.Text.RegularExpressions;

namespace Vision.Rules.Config;

/// <summary>Removes credentials from URLs (rtsp://user:password@host → rtsp://***@host) before text reaches logs, metrics, the API or config errors.</summary>
public static partial class UrlCredentials
{
    // Up to the last '@' before the path, as ffmpeg splits it: a password may itself contain '@'.
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s]*@")]
    private static partial Regex UserInfo();

    public static string Redact(string text) => UserInfo().Replace(text, "${scheme}***@");
}
