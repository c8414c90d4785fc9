using Microsoft.Extensions.Logging;
using Vision.Rules.Config;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// Records a two-stream camera's main stream (<c>streams.record</c>) into its <see cref="SegmentRing"/> while its
/// <see cref="LiveCamera"/> analyses the sub-stream: probe (for the size boxes are mapped to), then one stream-copy
/// ffmpeg (<see cref="RecordingProcess"/>), reconnected with its own backoff when the stream fails, stalls or ends.
/// Its state and reason are the recording's in <see cref="CameraHealth"/>: the analysis goes on whatever happens here.
/// </summary>
/// <remarks>
/// The recording's timeline is anchored to the wall clock as the analysed stream's is (<see cref="CameraTimeline"/>):
/// stream time t of this connection was written at wall time anchor + t. The two anchors are taken from different
/// events (the first analysis frame out of the decoder, the first progress report of the muxer), so a case's times
/// and its clip's segments differ by what the two streams' paths differ by: the camera's two encoders, network
/// buffering and the half-second progress period. That is well under a second in practice, far below the clip's
/// pre- and post-roll; a wall-clock step beyond 2 s moves both anchors the same way.
/// </remarks>
internal sealed class StreamRecorder
{
    /// <summary>Before the first packet ffmpeg also opens the stream and reads its header: it gets twice the stall timeout.</summary>
    private const int FirstProgressAllowance = 2;

    private readonly string _cameraId;
    private readonly string _source;
    private readonly SegmentRing _ring;
    private readonly LiveConfig _live;
    private readonly ConnectGate _connects;
    private readonly ChildProcesses _children;
    private readonly CameraHealth _health;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly StreamReconnect _reconnect;
    private readonly CameraTimeline _timeline;
    private RecordingRun? _run;
    private long _size;

    public StreamRecorder(string cameraId, string source, SegmentRing ring, LiveConfig live, ConnectGate connects, ChildProcesses children, CameraHealth health, TimeProvider clock,
        ILogger log, Random random)
    {
        _children = children;
        _cameraId = cameraId;
        _source = source;
        _ring = ring;
        _live = live;
        _connects = connects;
        _health = health;
        _clock = clock;
        _log = log;
        _reconnect = new StreamReconnect(live, clock, random);
        _timeline = new CameraTimeline(clock);
        // The camera's own timeline counts clock steps; this one only maps the run's segments to time.
        _timeline.Anchored += (fromStreamTime, anchor) => _run?.Anchor(fromStreamTime, anchor);
    }

    /// <summary>The record stream's frame size as last probed; (0, 0) before the first probe answered.</summary>
    public (int Width, int Height) StreamSize
    {
        get
        {
            long packed = Volatile.Read(ref _size);
            return ((int)(packed >> 32), (int)(packed & 0xffffffff));
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var scope = _log.BeginScope("camera {CameraId} recorder", _cameraId);
        while (!ct.IsCancellationRequested)
        {
            CameraState state;
            string reason;
            bool wasStable;
            try { (state, reason, wasStable) = await ConnectAndRecordAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            if (ct.IsCancellationRequested) break;
            var delay = _reconnect.NextDelay(state, wasStable);
            _health.SetRecording(RecordingState.Failing, $"record stream {state.ToWire()}: {reason}");
            _health.RecordingFailed();
            _log.LogWarning("recording failing ({State}: {Reason}); the analysis goes on; retrying in {Delay:0.0} s",
                state.ToWire(), SecretRedactor.Redact(reason), delay.TotalSeconds);
            try { await Task.Delay(delay, _clock, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task<(CameraState State, string Reason, bool WasStable)> ConnectAndRecordAsync(CancellationToken ct)
    {
        // The same queue as the cameras' own connects: a node coming up opens every stream in turn, not all at once.
        using var connecting = await _connects.EnterAsync(ct).ConfigureAwait(false);
        var (probed, failedState, failedReason) = await _reconnect.ProbeAsync(_source, "the record stream", ct).ConfigureAwait(false);
        if (probed is not { } video) return (failedState, failedReason, false);
        Volatile.Write(ref _size, ((long)video.Width << 32) | (uint)video.Height);

        if (!_ring.HasFreeSpace())
        {
            _log.LogError("the disk holding {Directory} is nearly full; not recording (cases keep their photos, no clips)", _ring.Directory);
            return (CameraState.Offline, $"the disk holding {_ring.Directory} is nearly full (recording.min_free_bytes): free space", false);
        }

        var run = _ring.BeginRun();
        _timeline.Reconnected();
        _run = run;
        try
        {
            await using var ffmpeg = RecordingProcess.Start(_source, run, _ring.SegmentLength, _live.StallTimeout, _children, ct);
            return await RecordAsync(ffmpeg, video, connecting, ct).ConfigureAwait(false);
        }
        catch (VideoSourceException e)
        {
            return (CameraState.Offline, e.Message, false);
        }
        finally
        {
            // ffmpeg has exited: this run's last, unlisted segment is garbage now.
            _run = null;
            _ring.EndRun(run);
        }
    }

    /// <param name="connecting">This recorder's place in the connect queue, given up once ffmpeg writes.</param>
    private async Task<(CameraState State, string Reason, bool WasStable)> RecordAsync(RecordingProcess ffmpeg, VideoInfo video, IDisposable connecting, CancellationToken ct)
    {
        long started = _clock.GetTimestamp();
        DateTimeOffset? recordingSince = null;
        // ffmpeg reports 0 (or N/A) until it has written a packet: only a later stream time is a sign of life.
        TimeSpan written = TimeSpan.Zero;
        long lastAdvance = started;
        while (!ct.IsCancellationRequested)
        {
            var allowance = recordingSince is null ? _live.StallTimeout * FirstProgressAllowance : _live.StallTimeout;
            var left = allowance - _clock.GetElapsedTime(lastAdvance);
            if (left <= TimeSpan.Zero)
                return (CameraState.Stalled, $"connected but nothing recorded for {allowance.TotalSeconds:0} s", Stable(recordingSince));
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stall.CancelAfter(left);
            TimeSpan progress;
            try
            {
                if (!await ffmpeg.Progress.WaitToReadAsync(stall.Token).ConfigureAwait(false)) break; // ffmpeg exited
                if (!ffmpeg.Progress.TryRead(out progress)) continue;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                continue; // the allowance is checked at the top
            }
            if (progress <= written) continue; // repeated while nothing new arrives
            written = progress;
            lastAdvance = _clock.GetTimestamp();
            _timeline.Stamp(progress);
            if (recordingSince is null)
            {
                // A real-time job like the live decoders: starved below them it would lose the stream, and with it the
                // evidence, for good (a clip cut can wait; this cannot). Stream copy is cheap, so their niceness costs nothing.
                ffmpeg.LowerPriority(LiveCamera.StreamingNiceness);
                connecting.Dispose();
                recordingSince = _clock.GetUtcNow();
                _health.SetRecording(RecordingState.Ok, $"recording {video.Codec} {video.Width}x{video.Height}");
                _log.LogInformation("recording {Codec} {Width}x{Height} by stream copy (the record stream)", video.Codec, video.Width, video.Height);
            }
        }
        if (ct.IsCancellationRequested) return (CameraState.Stopped, "stopped", false);
        var (state, reason) = recordingSince is null
            ? StreamFailure.Classify(ffmpeg.ErrorTail, _clock.GetElapsedTime(started), _live.StallTimeout)
            : StreamFailure.Classify(ffmpeg.ErrorTail);
        return (state, recordingSince is null ? reason : $"the record stream ended after {(_clock.GetUtcNow() - recordingSince.Value).TotalSeconds:0} s ({reason})", Stable(recordingSince));
    }

    private bool Stable(DateTimeOffset? since) => _reconnect.IsStable(since);
}
