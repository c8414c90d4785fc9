using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Dispatch;

namespace Vision.TestSupport;

/// <summary>
/// The city's dispatch core for tests: a Kestrel app inside the test process on 127.0.0.1 that takes <c>POST /cases</c> the
/// way the real one does, records what it was sent, and can be told to misbehave so a sender's retries can be tested.
/// </summary>
/// <remarks>
/// <para>A request is answered, in this order:</para>
/// <list type="number">
/// <item>401 <c>{"error": …}</c> unless <c>X-Vision-Key-Id</c> names the receiver's key and <see cref="WebhookSignature.Verify"/>
/// passes with a 5 minute tolerance (counted in <see cref="RejectedSignatures"/>).</item>
/// <item>The status set by <see cref="AnswerWith"/>, while it has answers left (a correctly signed request uses one up); no effect.</item>
/// <item>400 <c>{"error": …}</c> without an <c>Idempotency-Key</c> or when the body is not JSON.</item>
/// <item>200 with <c>Idempotent-Replayed: true</c> and the first answer's <c>{"caseNo": …}</c> when the key was accepted
/// before (counted in <see cref="Replays"/>); no new effect.</item>
/// <item>201 <c>{"caseNo": "CITY-000001"}</c>: the case is accepted (an effect in <see cref="Accepted"/>).</item>
/// </list>
/// <para>
/// Every request to <c>/cases</c> is recorded in <see cref="Attempts"/> as it is decided, before <see cref="Delay"/> holds the
/// answer back, so a delayed request has its effect even when the sender gives up waiting: the lost-answer case that
/// idempotency keys exist for. The port stays the same across <see cref="StopAsync"/> and <see cref="StartAgainAsync"/>,
/// and so do the records.
/// </para>
/// </remarks>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>How far a delivery's timestamp may be from the receiver's clock.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan RebindFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RebindPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly WebhookSignature _configuredKey;
    private readonly List<AcceptedCase> _accepted = [];
    private readonly Dictionary<string, AcceptedCase> _acceptedByKey = new(StringComparer.Ordinal);
    private readonly List<Attempt> _attempts = [];
    private TaskCompletionSource _acceptedChanged = NewSignal();
    private WebhookSignature _key;
    private ForcedAnswer? _forced;
    private TimeSpan _delay;
    private int _rejectedSignatures;
    private int _replays;
    private WebApplication? _app;

    private WebhookReceiver(WebhookSignature key)
    {
        _configuredKey = key;
        _key = key;
    }

    /// <summary>The TCP port on 127.0.0.1, the same for the receiver's life.</summary>
    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c></summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/cases</c>, where senders post.</summary>
    public Uri CasesUrl => new(BaseUrl, "cases");

    /// <summary>True while the listener is open (false after <see cref="StopAsync"/> until <see cref="StartAgainAsync"/>).</summary>
    public bool IsRunning => _app is not null;

    /// <summary>The cases accepted, in acceptance order, each with the times of every attempt that carried its key.</summary>
    public IReadOnlyList<ReceivedCase> Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted.Select(c => new ReceivedCase(c.IdempotencyKey, c.CaseNo, c.Body, c.Json, c.ReceivedAt,
                    _attempts.Where(a => a.IdempotencyKey == c.IdempotencyKey).Select(a => a.At).ToList())).ToList();
            }
        }
    }

    /// <summary>Every request to <c>/cases</c>, in arrival order, rejected and failed ones included.</summary>
    public IReadOnlyList<Attempt> Attempts
    {
        get { lock (_gate) return _attempts.ToList(); }
    }

    /// <summary>Requests answered 401: missing, malformed, stale or wrong signatures, or an unknown key id.</summary>
    public int RejectedSignatures
    {
        get { lock (_gate) return _rejectedSignatures; }
    }

    /// <summary>Requests answered 200 <c>Idempotent-Replayed: true</c> for a key accepted before.</summary>
    public int Replays
    {
        get { lock (_gate) return _replays; }
    }

    /// <summary>Starts a receiver on a free loopback port that accepts deliveries signed with <paramref name="keyId"/> and <paramref name="key"/>.</summary>
    public static async Task<WebhookReceiver> StartAsync(string keyId, byte[] key)
    {
        var receiver = new WebhookReceiver(new WebhookSignature(keyId, key));
        receiver._app = await receiver.ListenAsync(port: 0);
        return receiver;
    }

    /// <summary>
    /// Answers the next <paramref name="times"/> correctly signed requests with <paramref name="status"/> and no effect; a status
    /// of 400 or more comes with <c>{"error": <paramref name="error"/>}</c> and, when given, <c>Retry-After: &lt;seconds&gt;</c>.
    /// </summary>
    public void AnswerWith(int status, int times = int.MaxValue, string? error = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate) _forced = new ForcedAnswer(status, times, error ?? $"answered {status} as the test asked", retryAfter);
    }

    /// <summary>Holds every answer back for <paramref name="delay"/> (after its effect); <see cref="TimeSpan.Zero"/> stops delaying.</summary>
    public void Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_gate) _delay = delay;
    }

    /// <summary>Verifies deliveries with another key from now on, e.g. one the sender does not have.</summary>
    public void UseKey(string keyId, byte[] key)
    {
        var signature = new WebhookSignature(keyId, key);
        lock (_gate) _key = signature;
    }

    /// <summary>Back to answering at once, as the protocol says, with the key the receiver started with. The records stay.</summary>
    public void Normal()
    {
        lock (_gate)
        {
            _forced = null;
            _delay = TimeSpan.Zero;
            _key = _configuredKey;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> cases are accepted.</summary>
    /// <exception cref="TimeoutException">Fewer were accepted within <paramref name="timeout"/>; the message lists the attempts.</exception>
    public async Task WaitForAcceptedAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_accepted.Count >= count) return;
                changed = _acceptedChanged.Task;
            }
            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException(TimeoutMessage(count, timeout));
            try
            {
                await changed.WaitAsync(remaining);
            }
            catch (TimeoutException)
            {
                // checked once more at the top of the loop
            }
        }
    }

    /// <summary>Closes the listener (connections are refused) and its open connections; the port and the records are kept. Idempotent.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_app is not { } app) return;
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Listens again on the same port, retrying for a few seconds while it is busy. Does nothing while running.</summary>
    public async Task StartAgainAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_app is not null) return;
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    _app = await ListenAsync(Port);
                    return;
                }
                catch (IOException e) when (e.InnerException is AddressInUseException && clock.Elapsed < RebindFor)
                {
                    await Task.Delay(RebindPause);
                }
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>A started app listening on 127.0.0.1:<paramref name="port"/> (0: any free port, which then becomes <see cref="Port"/>).</summary>
    private async Task<WebApplication> ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, port));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        var app = builder.Build();
        app.MapPost("/cases", (RequestDelegate)HandleCaseAsync);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        if (port == 0)
        {
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            Port = new Uri(address).Port;
        }
        return app;
    }

    private async Task HandleCaseAsync(HttpContext context)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }

        var (answer, delay) = Decide(context.Request.Headers, body, receivedAt);

        if (delay > TimeSpan.Zero)
        {
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await Task.Delay(delay, abandoned.Token);
            }
            catch (OperationCanceledException)
            {
                // The sender hung up or the receiver is stopping; returning would answer an empty 200, so drop the connection.
                context.Abort();
                return;
            }
        }
        await WriteAsync(context.Response, answer);
    }

    /// <summary>What to answer (see the class remarks), recording the attempt and any effect, and how long to hold the answer.</summary>
    private (Answer Answer, TimeSpan Delay) Decide(IHeaderDictionary headers, byte[] body, DateTimeOffset receivedAt)
    {
        string? idempotencyKey = Header(headers, WebhookSignature.IdempotencyKeyHeader);
        lock (_gate)
        {
            var answer = AnswerFor(headers, idempotencyKey, body, receivedAt);
            _attempts.Add(new Attempt(idempotencyKey, receivedAt, answer.Status, answer.Error));
            return (answer, _delay);
        }
    }

    private Answer AnswerFor(IHeaderDictionary headers, string? idempotencyKey, byte[] body, DateTimeOffset receivedAt)
    {
        if (SignatureProblem(headers, body, receivedAt) is { } problem)
        {
            _rejectedSignatures++;
            return new Answer(StatusCodes.Status401Unauthorized, Error: problem);
        }
        if (_forced is { } forced)
        {
            _forced = forced.TimesLeft > 1 ? forced with { TimesLeft = forced.TimesLeft - 1 } : null;
            return forced.Status >= 400
                ? new Answer(forced.Status, Error: forced.Error, RetryAfter: forced.RetryAfter)
                : new Answer(forced.Status, RetryAfter: forced.RetryAfter);
        }
        if (string.IsNullOrEmpty(idempotencyKey))
            return new Answer(StatusCodes.Status400BadRequest, Error: $"{WebhookSignature.IdempotencyKeyHeader} header is required");
        if (_acceptedByKey.TryGetValue(idempotencyKey, out var earlier))
        {
            _replays++;
            return new Answer(StatusCodes.Status200OK, CaseNo: earlier.CaseNo, Replayed: true);
        }

        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return new Answer(StatusCodes.Status400BadRequest, Error: $"body is not JSON: {e.Message}");
        }

        var accepted = new AcceptedCase(idempotencyKey, $"CITY-{_accepted.Count + 1:D6}", body, json, receivedAt);
        _accepted.Add(accepted);
        _acceptedByKey.Add(idempotencyKey, accepted);
        var changed = _acceptedChanged;
        _acceptedChanged = NewSignal();
        changed.SetResult();
        return new Answer(StatusCodes.Status201Created, CaseNo: accepted.CaseNo);
    }

    /// <summary>Why the request's signature is refused, or null when it verifies under the current key.</summary>
    private string? SignatureProblem(IHeaderDictionary headers, byte[] body, DateTimeOffset receivedAt)
    {
        string? keyId = Header(headers, WebhookSignature.KeyIdHeader);
        if (keyId is null) return $"{WebhookSignature.KeyIdHeader} header is missing";
        if (keyId != _key.KeyId) return $"unknown key id '{keyId}'";
        var result = _key.Verify(Header(headers, WebhookSignature.TimestampHeader), Header(headers, WebhookSignature.SignatureHeader), body, receivedAt, Tolerance);
        return result == VerificationResult.Valid ? null : $"signature rejected: {result}";
    }

    private static async Task WriteAsync(HttpResponse response, Answer answer)
    {
        response.StatusCode = answer.Status;
        if (answer.Replayed) response.Headers[ReplayedHeader] = "true";
        if (answer.RetryAfter is { } retryAfter)
            response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        var json = answer.CaseNo is not null ? new JsonObject { ["caseNo"] = answer.CaseNo }
            : answer.Error is not null ? new JsonObject { ["error"] = answer.Error }
            : null;
        if (json is null) return;
        response.ContentType = "application/json";
        await response.WriteAsync(json.ToJsonString());
    }

    private static string? Header(IHeaderDictionary headers, string name) => headers.TryGetValue(name, out var values) ? values.ToString() : null;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string TimeoutMessage(int count, TimeSpan timeout)
    {
        lock (_gate)
        {
            var attempts = _attempts.TakeLast(10).Select(a => $"{a.At:HH:mm:ss.fff} key={a.IdempotencyKey ?? "(none)"} {a.Status} {a.Error}");
            return $"{_accepted.Count} of {count} case(s) accepted within {timeout.TotalSeconds:0.#} s; {_attempts.Count} attempt(s), the latest:\n"
                + string.Join('\n', attempts);
        }
    }

    private sealed record AcceptedCase(string IdempotencyKey, string CaseNo, byte[] Body, JsonElement Json, DateTimeOffset ReceivedAt);

    private sealed record ForcedAnswer(int Status, int TimesLeft, string Error, TimeSpan? RetryAfter);

    private sealed record Answer(int Status, string? CaseNo = null, string? Error = null, bool Replayed = false, TimeSpan? RetryAfter = null);
}

/// <summary>A case the <see cref="WebhookReceiver"/> accepted: the effect of the first request with its idempotency key.</summary>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> it came with (Vision's case id).</param>
/// <param name="CaseNo">The receiver's own number for it, answered as <c>caseNo</c>.</param>
/// <param name="Body">The request body bytes exactly as received.</param>
/// <param name="Json">The body parsed.</param>
/// <param name="ReceivedAt">When the accepting request arrived.</param>
/// <param name="AttemptTimes">When each request with this key arrived, before and after acceptance, in order.</param>
public sealed record ReceivedCase(string IdempotencyKey, string CaseNo, byte[] Body, JsonElement Json, DateTimeOffset ReceivedAt, IReadOnlyList<DateTimeOffset> AttemptTimes);

/// <summary>One request to the <see cref="WebhookReceiver"/>'s <c>/cases</c> and what it was answered.</summary>
/// <param name="IdempotencyKey">Its <c>Idempotency-Key</c>, or null without one.</param>
/// <param name="At">When it arrived.</param>
/// <param name="Status">The HTTP status answered (the one meant, when the sender hung up during a <see cref="WebhookReceiver.Delay"/>).</param>
/// <param name="Error">The <c>error</c> answered with it, or null.</param>
public sealed record Attempt(string? IdempotencyKey, DateTimeOffset At, int Status, string? Error);
