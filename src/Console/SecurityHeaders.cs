using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vision.ReviewConsole;

/// <summary>
/// Headers on every response of the host. The console loads only its own scripts, styles and images (no inline
/// script or style, no CDN), so the Content-Security-Policy allows 'self' and nothing else, plus the evidence store's
/// origin for photos and clips when an S3 store answers evidence links with a redirect to a presigned URL. Framing is
/// refused (clickjacking), content types are not sniffed, no referrer leaves the console (case ids are in its
/// addresses), and API, evidence and operations answers are never cached, so evidence photos do not stay in a shared
/// PC's browser cache.
/// </summary>
public sealed class SecurityHeaders
{
    private readonly string _policy;

    /// <param name="evidenceOrigins">Origins evidence links may redirect to (an S3 store's <c>http(s)://host:port</c>); empty for a local store.</param>
    public SecurityHeaders(IReadOnlyList<Uri> evidenceOrigins)
    {
        string media = string.Join("", evidenceOrigins.Select(o => " " + o.GetLeftPart(UriPartial.Authority)));
        _policy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + $"img-src 'self' data:{media}; media-src 'self'{media}; font-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    public string ContentSecurityPolicy => _policy;

    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = _policy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/evidence") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/readyz"))
        {
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }
    }
}

/// <summary>Adds <see cref="SecurityHeaders"/> to the host's pipeline.</summary>
public static class SecurityHeadersExtensions
{
    /// <summary>Call before anything that writes a response, so that every response carries the headers.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, SecurityHeaders headers) => app.Use((context, next) =>
    {
        headers.Apply(context);
        return next(context);
    });
}
