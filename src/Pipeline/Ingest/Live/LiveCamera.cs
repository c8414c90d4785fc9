using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

namespace Vision.Pipeline.Ingest;

/// <summary>
/// Pulls one camera for as long as it is configured: probe, then one ffmpeg process that both records
/// the original stream into the ring and hands sampled, scaled frames to the mailboxes. A stream that
/// stays silent past the stall timeout, ends, or fails is reconnected with backoff; its state and the
/// reason are always in <see cref="Health"/>. Nothing here can block or slow another camera.
/// A camera with two streams (<see cref="CameraConfig.RecordSource"/>) analyses its sub-stream here without
/// recording; its <see cref="Recorder"/> records the main stream into the ring, and boxes are mapped to the
/// main stream's size.
/// </summary>
internal sealed class LiveCamera
{
    /// <summary>
    /// A streaming decoder's niceness. The kernel shares the CPU per thread, so on an overloaded node a hundred decoders
    /// took the cores from the one analysis thread (the capacity benchmark saw 97 % of frames decoded, 12 % analysed);
    /// niced, decoding yields to analysis and each camera gets a fair share. A camera still connecting is not niced:
    /// it competed with every streaming decoder for its first keyframe and missed the stall timeout over and over
    /// (28 of 100 cameras never came online). The connect gate bounds how many run un-niced at once.
    /// </summary>
    public const int StreamingNiceness = 10;

    private const int FirstFrameAllowance = 2;

    private readonly CameraConfig _camera;
    private readonly LiveConfig _live;
    private readonly FrameMailboxes _mailboxes;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly StreamReconnect _reconnect;
    private readonly CameraTimeline _timeline;
    private readonly ConnectGate _connects;
    private readonly ChildProcesses _children;
    private FramePool? _pool;
    private RecordingRun? _run;

    /// <param name="children">Where its ffmpeg processes are registered: none starts once the camera's stop token is cancelled.</param>
    public LiveCamera(CameraConfig camera, LiveConfig live, SegmentRing? ring, FrameMailboxes mailboxes, ConnectGate connects, ChildProcesses children, TimeProvider clock, ILogger log, Random random)
    {
        _connects = connects;
        _children = children;
        _camera = camera;
        _live = live;
        Ring = ring;
        _mailboxes = mailboxes;
        _clock = clock;
        _log = log;
        _reconnect = new StreamReconnect(live, clock, random);
        Health = new CameraHealth(camera.Id, camera.Name, SecretRedactor.Redact(camera.Source ?? ""), clock)
        {
            RecordSource = camera.RecordSource is { } record ? SecretRedactor.Redact(record) : null,
        };
        if (ring is null) Health.SetRecording(RecordingState.Off, "recording.enabled is false: no clips");
        else if (camera.RecordSource is { } recordSource)
            Recorder = new StreamRecorder(camera.Id, recordSource, ring, live, connects, children, Health, clock, log, random);
        _timeline = new CameraTimeline(clock);
        _timeline.ClockStepped += step =>
        {
            Health.ClockStepped();
            _log.LogWarning("camera {CameraId}: the wall clock stepped {Direction} by {Seconds:0.0} s against the stream; analysis time stays monotonic ({Handling})",
                _camera.Id, step > TimeSpan.Zero ? "ahead" : "back", Math.Abs(step.TotalSeconds),
                step > TimeSpan.Zero ? "it jumps ahead with the wall clock" : "it goes on from the stream until the wall clock catches up");
        };
        // The ring maps this connection's segments to analysis time with the same anchors as its frames.
        _timeline.Anchored += (fromStreamTime, anchor) => _run?.Anchor(fromStreamTime, anchor);
    }

    public CameraConfig Camera => _camera;
    public CameraHealth Health { get; }
    public SegmentRing? Ring { get; }

    /// <summary>Records the main stream into <see cref="Ring"/> when the camera has two streams (run beside <see cref="RunAsync"/>); null otherwise.</summary>
    public StreamRecorder? Recorder { get; }

    /// <summary>
    /// The size boxes are mapped back to: the recorded stream's, as last probed (the analysed one's while a separate
    /// record stream has not answered yet). Photos and clips come from the recording, so its pixels are the case's.
    /// </summary>
    public (int Width, int Height) SourceSize { get; private set; }

    /// <summary>Raised when the camera is (re)connected with a new source size, before frames flow.</summary>
    public event Action<LiveCamera>? Connected;

    public async Task RunAsync(CancellationToken ct)
    {
        using var scope = _log.BeginScope("camera {CameraId}", _camera.Id);
        if (string.IsNullOrWhiteSpace(_camera.Source))
        {
            Health.Set(CameraState.BadUrl, "the camera has no 'source' in the config: add its RTSP URL");
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            CameraState state;
            string reason;
            bool wasStable;
            try { (state, reason, wasStable) = await ConnectAndStreamAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            if (ct.IsCancellationRequested) break;
            var delay = _reconnect.NextDelay(state, wasStable);
            Health.Set(state, reason);
            Health.Reconnected();
            _log.LogWarning("{State}: {Reason}; reconnecting in {Delay:0.0} s", state.ToWire(), Health.Snapshot().Reason, delay.TotalSeconds);
            try { await Task.Delay(delay, _clock, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        Health.Set(CameraState.Stopped, "stopped");
    }

    private async Task<(CameraState State, string Reason, bool WasStable)> ConnectAndStreamAsync(CancellationToken ct)
    {
        // A camera that is down keeps showing why while it retries: dashboards must not see it blink to "connecting".
        if (Health.State is CameraState.Connecting or CameraState.Stopped) Health.Set(CameraState.Connecting, "connecting");
        // Held until the first frame (or the failure): the probe and ffmpeg's own start are the expensive part.
        using var connecting = await _connects.EnterAsync(ct).ConfigureAwait(false);
        var (probed, failedState, failedReason) = await _reconnect.ProbeAsync(_camera.Source!, "the camera", ct).ConfigureAwait(false);
        if (probed is not { } video) return (failedState, failedReason, false);

        var (width, height) = video.AnalysisSize(_camera.Analysis.MaxWidth);
        if (_pool is null || _pool.Width != width || _pool.Height != height)
        {
            // Frames of the old size still in flight go back to the old pool, which frees itself when they are all back.
            _pool?.Retire();
            _pool = new FramePool(_camera.Id, width, height, _live.FramesPerCamera);
        }
        UseSourceSize(RecordedSize(video));
        Connected?.Invoke(this);

        // With two streams the recorder writes the ring; this connection only analyses.
        bool record = Ring is not null && Recorder is null && Ring.HasFreeSpace();
        if (Ring is not null && Recorder is null && !record)
        {
            Health.RecordingFailed();
            Health.SetRecording(RecordingState.Failing, $"the disk holding {Ring.Directory} is nearly full (recording.min_free_bytes): free space");
            _log.LogError("camera {CameraId}: the disk holding {Directory} is nearly full; running without recording (cases keep their photos, no clips)", _camera.Id, Ring.Directory);
        }

        var run = record ? Ring!.BeginRun() : null;
        var options = new FrameReaderOptions(_camera.Source!, width, height, _camera.Analysis.Fps, _camera.Analysis.Decode)
        {
            RecordTo = run?.Pattern,
            RecordStartNumber = run?.FirstSequence ?? 0,
            RecordList = run?.ListPath,
            SegmentLength = Ring?.SegmentLength ?? TimeSpan.FromSeconds(2),
            SocketTimeout = _live.StallTimeout,
            DecoderThreads = 1,
            PlayFileAsLive = true,
            FastDecode = _camera.Analysis.FastDecode,
            // ffmpeg starts at Vision's own priority and yields once it streams (see StreamingNiceness).
        };
        _timeline.Reconnected();
        _run = run;
        try
        {
            var result = await StreamAsync(options, video, width, height, record, connecting, ct).ConfigureAwait(false);
            // One stream: the recording went down with the connection.
            if (record && !ct.IsCancellationRequested) Health.SetRecording(RecordingState.Failing, $"the camera is {result.State.ToWire()}: {result.Reason}");
            return result;
        }
        finally
        {
            // ffmpeg has exited (the reader is disposed): this run's last, unlisted segment is garbage now.
            _run = null;
            if (run is not null) Ring!.EndRun(run);
        }
    }

    /// <summary>The size boxes map to: the separate record stream's once its recorder has probed it, else this stream's.</summary>
    /// <summary>The size case boxes map to (the recorded stream's); a size below what evidence needs is warned about once per change.</summary>
    private void UseSourceSize((int Width, int Height) size)
    {
        if (SourceSize != size && EvidenceResolution.Warning(_camera.Id, size.Width, size.Height) is { } small)
            _log.LogWarning("{Warning}", small);
        SourceSize = size;
    }

    private (int Width, int Height) RecordedSize(VideoInfo analysed) =>
        Recorder?.StreamSize is { Width: > 0 } recorded ? recorded : (analysed.Width, analysed.Height);

    /// <param name="connecting">This camera's place in the connect queue, given up at the first frame.</param>
    private async Task<(CameraState State, string Reason, bool WasStable)> StreamAsync(FrameReaderOptions options, VideoInfo video, int width, int height, bool record, IDisposable connecting, CancellationToken ct)
    {
        await using var reader = FfmpegFrameReader.Start(options, _children, ct);
        long started = _clock.GetTimestamp();
        DateTimeOffset? onlineSince = null;
        long reportedErrors = 0;
        int frameBytes = width * height * 3;
        while (!ct.IsCancellationRequested)
        {
            // No free frame means the analysis still holds them all: read past this one and count it dropped.
            _pool!.TryRent(out var frame);

            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // Before the first frame ffmpeg also opens the stream and waits for a keyframe: it gets twice the stall timeout.
            stall.CancelAfter(onlineSince is null ? _live.StallTimeout * FirstFrameAllowance : _live.StallTimeout);
            bool got;
            try
            {
                got = frame is null
                    ? await reader.SkipAsync(frameBytes, stall.Token).ConfigureAwait(false)
                    : await reader.ReadAsync(frame, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                frame?.Release();
                var waited = onlineSince is null ? _live.StallTimeout * FirstFrameAllowance : _live.StallTimeout;
                return (CameraState.Stalled, $"connected but no frame for {waited.TotalSeconds:0} s", Stable(onlineSince));
            }
            catch (VideoSourceException e)
            {
                frame?.Release();
                return (CameraState.Offline, e.Message, Stable(onlineSince));
            }

            if (!got)
            {
                frame?.Release();
                break;
            }

            Health.FrameReceived();
            if (onlineSince is null)
            {
                reader.LowerPriority(StreamingNiceness);
                connecting.Dispose();
                onlineSince = _clock.GetUtcNow();
                Health.Set(CameraState.Online, $"streaming {video.Codec} {video.Width}x{video.Height}");
                if (record) Health.SetRecording(RecordingState.Ok, $"recording {video.Codec} {video.Width}x{video.Height} (the analysed stream)");
                _log.LogInformation("online: {Codec} {Width}x{Height}, analysing {Fps} fps at {AnalysisWidth}x{AnalysisHeight}{Recording}",
                    video.Codec, video.Width, video.Height, _camera.Analysis.Fps, width, height,
                    record ? ", recording" : Recorder is not null ? "; the record stream is recorded by its own connection" : "");
            }
            // The record stream answered (or changed size) after this connection began: boxes follow its size.
            if (Recorder is not null && RecordedSize(video) is var recorded && recorded != SourceSize)
            {
                UseSourceSize(recorded);
                _log.LogInformation("boxes now map to the record stream's {Width}x{Height}", recorded.Width, recorded.Height);
                Connected?.Invoke(this);
            }
            long errors = reader.DecodeErrors;
            if (errors > reportedErrors) { Health.DecodeErrors(errors - reportedErrors); reportedErrors = errors; }

            if (frame is null)
            {
                Health.FrameDropped();
                continue;
            }
            frame.CapturedAt = _timeline.Stamp(frame.StreamTime);
            _mailboxes.Post(frame);
        }

        var (state, reason) = onlineSince is null
            ? StreamFailure.Classify(reader.ErrorTail, _clock.GetElapsedTime(started), _live.StallTimeout)
            : StreamFailure.Classify(reader.ErrorTail);
        return (state, onlineSince is null ? reason : $"the stream ended after {(_clock.GetUtcNow() - onlineSince.Value).TotalSeconds:0} s online ({reason})", Stable(onlineSince));
    }

    private bool Stable(DateTimeOffset? onlineSince) => _reconnect.IsStable(onlineSince);
}
