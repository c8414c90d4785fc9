using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// <c>GET /api/events</c>: server-sent events for the console's queue. <c>event: case</c> with
/// <c>{caseId, cameraId, status, added}</c> when a case is added or changes status (on any node), a comment line every
/// <see cref="Heartbeat"/> so proxies keep the connection open, and <c>event: signed_out</c> once the session has ended
/// (signed out elsewhere, or idle) — then the stream closes. A reconnecting browser sends <c>Last-Event-ID</c> and gets
/// what it missed first.
/// </summary>
internal static class CaseEventStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapCaseEvents(this WebApplication app, CaseChangeFeed feed, CaseReports reports, ISessionStore sessions, TimeProvider clock)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.MapGet("/api/events", async (HttpContext context) =>
        {
            var reader = feed.Listen(out var stop);
            if (reader is null)
            {
                context.Response.Headers.RetryAfter = "30";
                return Results.Json(new { error = "too_many_listeners", message = $"this node already serves {CaseChangeFeed.MaxListeners} live queues; the page still works, refresh it by hand" },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            try
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                await StreamAsync(context, reader, reports, sessions, clock, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the browser went away or the host is stopping
            }
            finally
            {
                stop();
            }
            return Results.Empty;
        }).RequireAuthorization();
    }

    private static async Task StreamAsync(HttpContext context, System.Threading.Channels.ChannelReader<CaseChange> reader, CaseReports reports, ISessionStore sessions,
        TimeProvider clock, CancellationToken ct)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass events on at once
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.WriteAsync("retry: 3000\n: connected\n\n", ct).ConfigureAwait(false);

        long sent = -1;
        if (long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out long last))
            foreach (var change in await reports.ChangesSinceAsync(last, 500, ct).ConfigureAwait(false))
            {
                await WriteAsync(response, change, ct).ConfigureAwait(false);
                sent = change.Id;
            }
        await response.Body.FlushAsync(ct).ConfigureAwait(false);

        string? sessionId = context.User.FindFirst(ConsoleAuthentication.SessionIdClaim)?.Value;
        while (true)
        {
            var waiting = reader.WaitToReadAsync(ct).AsTask();
            if (await Task.WhenAny(waiting, Task.Delay(Heartbeat, clock, ct)).ConfigureAwait(false) == waiting)
            {
                if (!await waiting.ConfigureAwait(false)) return;
                while (reader.TryRead(out var change))
                    if (change.Id > sent) await WriteAsync(response, change, ct).ConfigureAwait(false);
            }
            else
            {
                var now = clock.GetUtcNow();
                if (sessionId is null || await sessions.FindActiveAsync(sessionId, now - ConsoleAuthentication.IdleTimeout, ct).ConfigureAwait(false) is null)
                {
                    await response.WriteAsync("event: signed_out\ndata: {}\n\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    return;
                }
                await response.WriteAsync(": heartbeat\n\n", ct).ConfigureAwait(false);
            }
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpResponse response, CaseChange change, CancellationToken ct) =>
        response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"id: {change.Id}\nevent: case\ndata: {JsonSerializer.Serialize(new { caseId = change.CaseId, cameraId = change.CameraId, status = change.Status, added = change.Added }, Json)}\n\n"), ct);
}
