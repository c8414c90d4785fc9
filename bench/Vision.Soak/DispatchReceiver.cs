using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vision.Dispatch;

namespace Vision.Soak;

/// <summary>
/// The dispatch core for the soak: a webhook receiver on a fixed loopback port that checks each signature, counts
/// deliveries (distinct idempotency keys), and can be taken down and brought back, so the publisher retries.
/// </summary>
public sealed class DispatchReceiver(int port, WebhookSignature signature) : IAsyncDisposable
{
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private int _rejected;

    public Uri Url => new($"http://127.0.0.1:{port}/cases");

    public bool IsRunning => _app is not null;

    public int Delivered { get { lock (_keys) return _keys.Count; } }

    public int Rejected => Volatile.Read(ref _rejected);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/cases", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var verdict = signature.Verify(request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader], body.ToArray(),
                DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            if (verdict != VerificationResult.Valid) { Interlocked.Increment(ref _rejected); return Results.StatusCode(401); }
            lock (_keys) _keys.Add(request.Headers[WebhookSignature.IdempotencyKeyHeader].ToString());
            return Results.StatusCode(201);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
