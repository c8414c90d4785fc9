using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Vision.ReviewConsole;

/// <summary>
/// How large a request body the host reads (README, "Review console", Security): <see cref="SignedIn"/> for a signed-in
/// user's JSON, <see cref="Anonymous"/> for anyone not signed in (the sign-in itself included), whatever the endpoint
/// declares. Bodies are read as they arrive, so a declared <c>Content-Length</c> over the limit is answered 413 before a
/// byte is read, and a body without one stops at the limit; either way the answer is JSON that names the limit.
/// </summary>
public static class RequestBodyLimits
{
    /// <summary>A sign-in (user name, password, return path) or anything else sent without a session.</summary>
    public const long Anonymous = 8 * 1024;

    /// <summary>A signed-in user's request: a decision, a bulk decision of 200 cases, 64 zones of 256 points.</summary>
    public const long SignedIn = 1024 * 1024;

    /// <summary>Declares the largest body an endpoint takes (the routing middleware applies it before the body is read).</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Applies the limits; runs after authentication, so it knows whether the caller is signed in.</summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        long limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? SignedIn;
        if (context.User.Identity?.IsAuthenticated != true) limit = Math.Min(limit, Anonymous);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(limit).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
        // A body without a length that ran over: the framework answered a bare 413 instead of binding it.
        if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            await TooLarge(limit).ExecuteAsync(context).ConfigureAwait(false);
    });

    /// <summary>413 <c>{error: body_too_large, limitBytes, message}</c>.</summary>
    public static IResult TooLarge(long limit) => Results.Json(new BodyTooLarge("body_too_large", limit,
        $"the request body is larger than {limit} bytes, the most this request may send{(limit == Anonymous ? " without a session" : "")}"),
        statusCode: StatusCodes.Status413PayloadTooLarge);

    private sealed record BodyTooLarge(string Error, long LimitBytes, string Message);

    private sealed record BodyLimit(long Bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => Bytes;
    }
}
