using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>Removes credentials from URLs (rtsp://user:password@host → rtsp://***@host) before text reaches logs, metrics or errors.</summary>
internal static class SecretRedactor
{
    public static string Redact(string text) => UrlCredentials.Redact(text);
}
