using Vision.Pipeline.Retry;
using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// What the connection loops of a live stream share (a camera's analysed stream, a two-stream camera's recorder): the
/// probe, bounded by the stall timeout, with its failure in an operator's words; the delay before the next try; and
/// when a connection has lasted long enough that the next failure starts the backoff again.
/// </summary>
internal sealed class StreamReconnect(LiveConfig live, TimeProvider clock, Random random)
{
    /// <summary>After this long connected, the next failure starts backoff from the beginning again.</summary>
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    private readonly ExponentialBackoff _backoff = new(live.ReconnectInitial, live.ReconnectMax, random);

    /// <summary>The source's format, or why it could not be had (<paramref name="what"/> names the stream in the reason).</summary>
    public async Task<(VideoInfo? Video, CameraState State, string Reason)> ProbeAsync(string source, string what, CancellationToken ct)
    {
        long started = clock.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(live.StallTimeout * 2);
            return (await VideoProbe.ProbeAsync(source, timeout.Token, live.StallTimeout).ConfigureAwait(false), CameraState.Connecting, "");
        }
        catch (VideoSourceException e)
        {
            var (state, reason) = StreamFailure.Classify(e.InnerException?.Message ?? e.Message, clock.GetElapsedTime(started), live.StallTimeout);
            return (null, state, reason);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, CameraState.Offline, $"no answer from {what} within {live.StallTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>How long to wait after a connection ended in <paramref name="failed"/>.</summary>
    public TimeSpan NextDelay(CameraState failed, bool wasStable)
    {
        if (wasStable) _backoff.Reset();
        var delay = _backoff.Next();
        // A wrong password or path will not fix itself: retry, but no faster than the cap.
        return failed is CameraState.AuthFailed or CameraState.BadUrl ? live.ReconnectMax : delay;
    }

    /// <summary>True when a connection up since <paramref name="since"/> has lasted long enough to reset the backoff.</summary>
    public bool IsStable(DateTimeOffset? since) => since is { } s && clock.GetUtcNow() - s >= StableAfter;
}
