using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>The data of an <c>event: case</c>: a case was added (auto-captured) or changed status.</summary>
internal sealed record CaseEvent(string CaseId, string CameraId, string Status, bool Added);

/// <summary>
/// <c>GET /api/events</c>: server-sent events for the console's queue. <c>event: case</c> with
/// <c>{caseId, cameraId, status, added}</c> when a case is added or changes status (on any node), a comment line every
/// <see cref="Heartbeat"/> so proxies keep the connection open, and <c>event: signed_out</c> within about a second of
/// the session ending (signed out here or elsewhere, ended by an admin, its account disabled or deleted, idle or too
/// old: <see cref="LiveQueueSessions"/>) — then the stream closes. At most <see cref="LiveQueueSessions.MaxPerUser"/>
/// streams per user (429 beyond) and <see cref="CaseChangeFeed.MaxListeners"/> per node (503). A reconnecting browser
/// sends <c>Last-Event-ID</c> and gets what it missed first.
/// </summary>
internal static class CaseEventStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapCaseEvents(this WebApplication app, CaseChangeFeed feed, CaseReports reports, ISessionStore sessions, TimeProvider clock)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        var streams = new LiveQueueSessions(sessions, app.Services.GetService<ConsoleConfig>() ?? ConsoleConfig.Default, clock,
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Console"));
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => streams.RunAsync(stopping), CancellationToken.None));
        app.MapGet("/api/events", async (HttpContext context) =>
        {
            if (context.User.SessionId() is not { } sessionId) return Results.Forbid();
            using var slot = streams.TryOpen(context.User.Username(), sessionId);
            if (slot is null)
            {
                context.Response.Headers.RetryAfter = "30";
                return ErrorAnswers.Explained("too_many_streams",
                    $"you already have {LiveQueueSessions.MaxPerUser} live queues open on this node (other tabs or windows): close one, or refresh this page by hand",
                    StatusCodes.Status429TooManyRequests);
            }
            var reader = feed.Listen(out var stop);
            if (reader is null)
            {
                context.Response.Headers.RetryAfter = "30";
                return ErrorAnswers.Explained("too_many_listeners",
                    $"this node already serves {CaseChangeFeed.MaxListeners} live queues; the page still works, refresh it by hand", StatusCodes.Status503ServiceUnavailable);
            }
            try
            {
                using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                await StreamAsync(context, reader, reports, slot.Ended, clock, both.Token).ConfigureAwait(false);
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

    private static async Task StreamAsync(HttpContext context, System.Threading.Channels.ChannelReader<CaseChange> reader, CaseReports reports, Task sessionEnded,
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

        while (true)
        {
            Task woke;
            using (var turn = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var waiting = reader.WaitToReadAsync(turn.Token).AsTask();
                woke = await Task.WhenAny(waiting, Task.Delay(Heartbeat, clock, turn.Token), sessionEnded).ConfigureAwait(false);
                // Cancels the heartbeat's timer or the channel's wait, whichever did not finish.
                await turn.CancelAsync().ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                if (woke == waiting && !await waiting.ConfigureAwait(false)) return;
            }
            if (sessionEnded.IsCompleted)
            {
                // Nothing more for this session, not even what was queued meanwhile.
                await response.WriteAsync("event: signed_out\ndata: {}\n\n", ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
                return;
            }
            bool any = false;
            while (reader.TryRead(out var change))
                if (change.Id > sent)
                {
                    await WriteAsync(response, change, ct).ConfigureAwait(false);
                    any = true;
                }
            if (!any) await response.WriteAsync(": heartbeat\n\n", ct).ConfigureAwait(false);
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static Task WriteAsync(HttpResponse response, CaseChange change, CancellationToken ct) =>
        response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"id: {change.Id}\nevent: case\ndata: {JsonSerializer.Serialize(new CaseEvent(change.CaseId, change.CameraId, change.Status, change.Added), Json)}\n\n"), ct);
}
