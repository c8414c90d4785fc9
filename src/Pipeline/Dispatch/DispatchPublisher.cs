using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Vision.Cases;
using Vision.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Retry;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Dispatch;

/// <summary>How one delivery attempt ended.</summary>
internal enum DeliveryOutcome { Delivered, Retry, DeadLetter }

/// <summary>
/// Delivers the outbox to the dispatch core's webhook: the case record as JSON, signed (<see cref="WebhookSignature"/>),
/// with <c>Idempotency-Key</c> = case id so a repeat after a crash or a lost answer has no second effect at the
/// receiver. One delivery in flight per camera keeps each camera's cases in order; up to <c>concurrency</c> cameras
/// deliver at once, so one slow case does not hold up other cameras. Retries are kept in the outbox (they survive
/// restarts) with exponential backoff and jitter; a 4xx other than 408/429, or too many attempts, makes a dead letter
/// that keeps its reason until <c>vision cases resend</c>. An attempt that ran out of time is repeated only
/// <see cref="AfterTimeout"/> times its time later (on every node: the time is kept in the outbox), so a receiver
/// that takes up to that long has finished it; while the dispatch core is slow attempts get longer, up to
/// <see cref="MaxTimeoutGrowth"/> times <c>dispatch.timeout</c>.
/// </summary>
internal sealed class DispatchPublisher(
    Outbox outbox,
    DispatchCaseSource cases,
    RunningConfig runningConfig,
    WebhookSignature signature,
    HttpClient http,
    TimeProvider clock,
    ILogger log,
    int concurrency = 4,
    CaseObservers? observers = null) : ICaseObserver
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ClaimMargin = TimeSpan.FromSeconds(15);
    private const int ReceiptMaxChars = 1000;

    /// <summary>An attempt's time grows to at most this many times <c>dispatch.timeout</c> while the dispatch core is slow.</summary>
    internal const int MaxTimeoutGrowth = 4;

    /// <summary>
    /// A case whose attempt ran out of time is tried again only after this many times that attempt's time: the
    /// receiver may still be working on it, and a second request while it does is a second case in many intakes.
    /// </summary>
    internal const int AfterTimeout = 2;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _busyCameras = new(StringComparer.Ordinal);
    private readonly Random _random = new();
    private TaskCompletionSource _work = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _delivered, _retries, _deadLetters, _rejectedByReceiver;
    // How many times dispatch.timeout an attempt gets: 1 while the dispatch core answers in time, doubled after each
    // attempt that ran out of time, back to 1 when one is answered within dispatch.timeout.
    private int _timeoutGrowth = 1;
    // Per camera, the older case whose later cases were last said to go ahead of it (said once, not per case).
    private readonly Dictionary<string, string> _overtaken = new(StringComparer.Ordinal);

    public long DeliveredCount => Interlocked.Read(ref _delivered);

    public long Retries => Interlocked.Read(ref _retries);

    public long DeadLetters => Interlocked.Read(ref _deadLetters);

    /// <summary>Attempts the receiver answered 401/403 (it refused our signature or key).</summary>
    public long RejectedByReceiver => Interlocked.Read(ref _rejectedByReceiver);

    /// <summary>A case's evidence is stored: its message may be in the outbox now.</summary>
    void ICaseObserver.Stored(SpooledCase stored, DateTimeOffset at) => Wake();

    /// <summary>A reviewer's confirmation released cases: their messages are in the outbox.</summary>
    void ICaseReleaseObserver.Released() => Wake();

    /// <summary>A message was added (or resent): look now rather than at the next poll.</summary>
    public void Wake() => Interlocked.Exchange(ref _work, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Told when the outbox cannot be read (the case database is away); null: the loop only logs.</summary>
    public CaseDatabaseHealth? Health { get; init; }

    /// <summary>
    /// Delivers until <paramref name="ct"/> is cancelled. Nothing but the stop ends it: a database that is away (down,
    /// restarting, a dropped connection) is retried with back-off from 1 s to 30 s, said once in the log and in the
    /// health the node reports, and delivery resumes where the outbox stands when it answers.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var running = new List<Task>();
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), _random);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await StepAsync(running, ct).ConfigureAwait(false);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                var delay = backoff.Next();
                if (Storage.DatabaseFailure.IsUnavailable(e))
                    Health?.Failed("dispatch", e, $"deliveries wait in the outbox and are retried (next try in {ConfigDuration.Format(delay)}, at most every 30 s)");
                else
                    log.LogError(e, "dispatch: reading the outbox failed unexpectedly; retrying in {Delay}", ConfigDuration.Format(delay));
                try { await Task.Delay(delay, clock, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
        // A delivery cut off by the stop stays pending; the receiver's idempotency absorbs the repeat after restart.
        try { await Task.WhenAll(running).ConfigureAwait(false); } catch (OperationCanceledException) { }
    }

    /// <summary>One pass: claim what is due (up to the free delivery slots) and start it, or wait for work.</summary>
    private async Task StepAsync(List<Task> running, CancellationToken ct)
    {
        var arrived = Volatile.Read(ref _work).Task;
        running.RemoveAll(t => t.IsCompleted);
        int free = concurrency - running.Count;
        if (free > 0)
        {
            HashSet<string> busy;
            lock (_gate) busy = [.. _busyCameras];
            var due = await outbox.DueAsync(clock.GetUtcNow(), free, busy, ct, ClaimFor(runningConfig.Current)).ConfigureAwait(false);
            Health?.Answered();
            foreach (var message in due)
            {
                lock (_gate) _busyCameras.Add(message.CameraId);
                running.Add(Task.Run(() => DeliverAndReleaseAsync(message, ct), CancellationToken.None));
            }
            if (due.Count > 0) return;
        }
        var wait = IdlePoll;
        if (await outbox.NextDueAsync(ct).ConfigureAwait(false) is { } next && next - clock.GetUtcNow() is var until && until < wait)
            wait = until < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20) : until;
        await WaitForWorkAsync(arrived, running, wait, clock, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// How long a claimed message stays this node's: an attempt's time now
    /// (<see cref="AttemptTimeout(DispatchConfig?)"/>), twice that again for the receiver to finish that attempt if
    /// this node dies in it, and a margin. A node that dies mid-delivery leaves the message to another node after
    /// this, and that node's attempt does not overlap its own.
    /// </summary>
    internal TimeSpan ClaimFor(VisionConfig config) => AttemptTimeout(config.Dispatch) * (1 + AfterTimeout) + ClaimMargin;

    /// <summary>
    /// Waits until new work arrives, a delivery finishes or <paramref name="wait"/> passes. Everything it registers on
    /// <paramref name="ct"/> is released when it returns: the loop runs for months, and a registration left behind
    /// each pass (a never-ending delay) would hold memory until shutdown.
    /// </summary>
    internal static async Task WaitForWorkAsync(Task arrived, IReadOnlyList<Task> running, TimeSpan wait, TimeProvider clock, CancellationToken ct)
    {
        using var waitOver = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var any = new Task[running.Count + 2];
        any[0] = arrived;
        any[1] = Task.Delay(wait, clock, waitOver.Token);
        for (int i = 0; i < running.Count; i++) any[i + 2] = running[i];
        await Task.WhenAny(any).ConfigureAwait(false);
        await waitOver.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private async Task DeliverAndReleaseAsync(OutboxMessage message, CancellationToken ct)
    {
        try
        {
            await DeliverAsync(message, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (Storage.DatabaseFailure.IsUnavailable(e))
        {
            // The POST may have gone through: the claim lapses and the case is sent again with the same Idempotency-Key.
            Health?.Failed("dispatch", e, "a delivery's outcome could not be recorded; the case stays in the outbox and is sent again (same Idempotency-Key)");
        }
        catch (Exception e)
        {
            log.LogError(e, "case {CaseId}: delivery to the dispatch core failed unexpectedly; it stays in the outbox", message.CaseId);
        }
        finally
        {
            lock (_gate) _busyCameras.Remove(message.CameraId);
            Wake();
        }
    }

    /// <summary>One attempt: build the record (fresh presigned links), sign, POST, and record the outcome in the outbox.</summary>
    public async Task<DeliveryOutcome> DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var config = runningConfig.Current;
        if (config.Dispatch is not { } dispatch) return DeliveryOutcome.Retry;
        var built = await cases.BuildAsync(message.CaseId, config, dispatch, ct).ConfigureAwait(false);
        if (built is null)
        {
            await outbox.MarkDeadAsync(message, clock.GetUtcNow(), null, "the case is no longer in the case store", ct).ConfigureAwait(false);
            return DeliveryOutcome.DeadLetter;
        }
        var (body, confirmedAt) = built.Value;
        if (message.AheadOf is { } older) SayOvertaken(message, older, dispatch);

        long timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, dispatch.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.KeyIdHeader, signature.KeyId);
        request.Headers.Add(WebhookSignature.SignatureHeader, signature.Sign(timestamp, body));
        request.Headers.Add("Idempotency-Key", message.CaseId);

        var timeout = AttemptTimeout(dispatch, message);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        int? status = null;
        string error;
        TimeSpan? retryAfter = null;
        bool timedOut = false;
        long started = clock.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            string text = await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false);
            Answered(clock.GetElapsedTime(started), dispatch);
            if (response.IsSuccessStatusCode)
            {
                var now = clock.GetUtcNow();
                await outbox.MarkDeliveredAsync(message, now, status.Value, Truncate(text), CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _delivered);
                log.LogInformation("case {CaseId}: delivered to the dispatch core ({Status}) after {Attempts} attempt(s)", message.CaseId, status, message.Attempts + 1);
                (observers ?? CaseObservers.None).Delivered(message.CaseId, confirmedAt, now);
                return DeliveryOutcome.Delivered;
            }
            error = $"the dispatch core answered {status} {response.ReasonPhrase}{(text.Length > 0 ? ": " + Truncate(text, 300) : "")}";
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                Interlocked.Increment(ref _rejectedByReceiver);
                error += $" (it refused the request's signature or key: check {WebhookSignature.KeyVariable} / {WebhookSignature.KeyIdVariable} against the receiver's)";
            }
            retryAfter = response.Headers.RetryAfter?.Delta;
            bool retryable = status is 408 or 429 || status >= 500;
            if (!retryable) return await DeadAsync(message, status, error).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            timedOut = true;
            error = timeout == dispatch.Timeout
                ? $"the dispatch core did not answer within {ConfigDuration.Format(timeout)} (dispatch.timeout)"
                : $"the dispatch core did not answer within {ConfigDuration.Format(timeout)} (dispatch.timeout, grown while the core is slow)";
            TimedOut(message, timeout, dispatch);
        }
        catch (HttpRequestException e)
        {
            error = $"cannot reach the dispatch core at {dispatch.Url.GetLeftPart(UriPartial.Authority)}: {e.Message}";
        }

        int attempts = message.Attempts + 1;
        if (attempts >= dispatch.MaxAttempts)
            return await DeadAsync(message, status, $"gave up after {attempts} attempts (dispatch.max_attempts); last: {error}").ConfigureAwait(false);
        var delay = ExponentialBackoff.Delay(attempts, dispatch.RetryInitial, dispatch.RetryMax, _random);
        if (retryAfter is { } asked && asked > delay) delay = asked < dispatch.RetryMax ? asked : dispatch.RetryMax;
        // Not while the receiver may still be working on the attempt it got (up to twice its time), whatever retry_max says.
        if (timedOut && timeout * AfterTimeout > delay) delay = timeout * AfterTimeout;
        await outbox.RecordFailureAsync(message, clock.GetUtcNow(), status, error, clock.GetUtcNow() + delay, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _retries);
        log.LogWarning("case {CaseId}: delivery attempt {Attempt} failed: {Error}; next try in {Delay}", message.CaseId, attempts, error, ConfigDuration.Format(delay));
        return DeliveryOutcome.Retry;
    }

    /// <summary>An attempt's time now: <c>dispatch.timeout</c>, grown while the dispatch core is slow.</summary>
    private TimeSpan AttemptTimeout(DispatchConfig? dispatch) => (dispatch?.Timeout ?? TimeSpan.FromSeconds(10)) * Volatile.Read(ref _timeoutGrowth);

    /// <summary>
    /// This attempt's time: <see cref="AttemptTimeout(DispatchConfig?)"/>, but no longer than the message's claim
    /// covers (it may have been claimed before the time grew; half the claim's margin is spent between the claim and
    /// the attempt at most), and never below <c>dispatch.timeout</c>.
    /// </summary>
    private TimeSpan AttemptTimeout(DispatchConfig dispatch, OutboxMessage message)
    {
        var timeout = AttemptTimeout(dispatch);
        if (message.ClaimedUntil is not { } until) return timeout;
        var covered = (until - clock.GetUtcNow() - ClaimMargin / 2) / (1 + AfterTimeout);
        return covered >= timeout ? timeout : covered > dispatch.Timeout ? covered : dispatch.Timeout;
    }

    /// <summary>
    /// An attempt ran out of time: the next ones get twice as long (up to <see cref="MaxTimeoutGrowth"/>), unless it
    /// had less than they get already (cameras delivering at once all time out together: that is one sign, not
    /// several). Said once when the core turns slow.
    /// </summary>
    private void TimedOut(OutboxMessage message, TimeSpan timeout, DispatchConfig dispatch)
    {
        int before;
        lock (_gate)
        {
            before = _timeoutGrowth;
            if (timeout < dispatch.Timeout * before) return;
            Volatile.Write(ref _timeoutGrowth, Math.Min(before * 2, MaxTimeoutGrowth));
        }
        if (before == 1)
            log.LogWarning("the dispatch core is slow: case {CaseId} got no answer within {Timeout} (dispatch.timeout). Until it answers in time again, each attempt that runs out of time doubles the next ones' time (up to {Longest}), and a case is sent again only {After} times its attempt's time after that attempt gave up, so that the receiver finishes the first request before it gets the repeat",
                message.CaseId, ConfigDuration.Format(timeout), ConfigDuration.Format(dispatch.Timeout * MaxTimeoutGrowth), AfterTimeout);
    }

    /// <summary>An answer came: within <c>dispatch.timeout</c>, attempts get their normal time again (said once).</summary>
    private void Answered(TimeSpan took, DispatchConfig dispatch)
    {
        if (took >= dispatch.Timeout || Volatile.Read(ref _timeoutGrowth) == 1) return;
        int before;
        lock (_gate)
        {
            before = _timeoutGrowth;
            Volatile.Write(ref _timeoutGrowth, 1);
        }
        if (before > 1)
            log.LogInformation("the dispatch core answers within dispatch.timeout ({Timeout}) again: attempts get their normal time", ConfigDuration.Format(dispatch.Timeout));
    }

    /// <summary>Says, once per older case, that a camera's later cases go ahead of it (its evidence is late past <c>dispatch.order_wait</c>).</summary>
    private void SayOvertaken(OutboxMessage message, string older, DispatchConfig dispatch)
    {
        lock (_gate)
        {
            if (_overtaken.TryGetValue(message.CameraId, out var said) && said == older) return;
            _overtaken[message.CameraId] = older;
        }
        log.LogWarning("camera {CameraId}: case {CaseId} goes to the dispatch core ahead of the older case {Older}, whose evidence is still not stored {Wait} after its confirmation (dispatch.order_wait); the camera's later cases go on too, and {Older} follows when its evidence is stored",
            message.CameraId, message.CaseId, older, ConfigDuration.Format(dispatch.OrderWait), older);
    }

    private async Task<DeliveryOutcome> DeadAsync(OutboxMessage message, int? status, string error)
    {
        await outbox.MarkDeadAsync(message, clock.GetUtcNow(), status, error, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _deadLetters);
        log.LogError("case {CaseId}: dead letter, not sent to the dispatch core: {Error}; fix the cause, then 'vision cases resend --case {CaseId}'", message.CaseId, error, message.CaseId);
        return DeliveryOutcome.DeadLetter;
    }

    private static string Truncate(string text, int max = ReceiptMaxChars) => text.Length <= max ? text : text[..max] + "…";
}
