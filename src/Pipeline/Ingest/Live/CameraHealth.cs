namespace Vision.Pipeline.Ingest;

/// <summary>
/// A live camera's state, reason and counters, updated by its ingest loop, its recorder and the analysis loop, read by
/// /api/cameras and /metrics. The camera's state is its analysed stream's; the recording has a state of its own, which
/// only differs in practice when a separate record stream (<c>streams.record</c>) fails on its own. Thread-safe.
/// </summary>
internal sealed class CameraHealth(string cameraId, string name, string sourceRedacted, TimeProvider clock)
{
    private RecordingState _recording = RecordingState.Starting;
    private string _recordingReason = "starting";

    private readonly object _gate = new();
    private CameraState _state = CameraState.Connecting;
    private string _reason = "starting";
    private DateTimeOffset _since = clock.GetUtcNow();
    private long _received, _analysed, _dropped, _reconnects, _decodeErrors, _cases, _recordingFailures, _recordingOverruns, _clockSteps, _viewChanges;
    private DateTimeOffset? _lastFrameAt;

    public string CameraId { get; } = cameraId;
    public string Name { get; } = name;
    public string Source { get; } = sourceRedacted;

    /// <summary>The separately recorded main stream, credentials removed; null when <see cref="Source"/> is also recorded.</summary>
    public string? RecordSource { get; init; }

    public RecordingState Recording { get { lock (_gate) return _recording; } }

    public void SetRecording(RecordingState state, string reason)
    {
        lock (_gate)
        {
            _recording = state;
            _recordingReason = Ingest.SecretRedactor.Redact(reason);
        }
    }

    public CameraState State { get { lock (_gate) return _state; } }

    public void Set(CameraState state, string reason)
    {
        lock (_gate)
        {
            if (_state != state) _since = clock.GetUtcNow();
            _state = state;
            _reason = Ingest.SecretRedactor.Redact(reason);
        }
    }

    public void FrameReceived() { Interlocked.Increment(ref _received); lock (_gate) _lastFrameAt = clock.GetUtcNow(); }
    public void FrameAnalysed() => Interlocked.Increment(ref _analysed);
    public void FrameDropped() => Interlocked.Increment(ref _dropped);
    public void Reconnected() => Interlocked.Increment(ref _reconnects);
    public void DecodeErrors(long count) => Interlocked.Add(ref _decodeErrors, count);
    public void CaseRaised() => Interlocked.Increment(ref _cases);
    public void RecordingFailed() => Interlocked.Increment(ref _recordingFailures);
    public void RecordingOverrun() => Interlocked.Increment(ref _recordingOverruns);
    public void ClockStepped() => Interlocked.Increment(ref _clockSteps);
    public void ViewChanged() => Interlocked.Increment(ref _viewChanges);

    public CameraSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new CameraSnapshot(CameraId, Name, Source, _state.ToWire(), _reason, _since, _lastFrameAt,
                Interlocked.Read(ref _received), Interlocked.Read(ref _analysed), Interlocked.Read(ref _dropped),
                Interlocked.Read(ref _reconnects), Interlocked.Read(ref _decodeErrors), Interlocked.Read(ref _cases),
                Interlocked.Read(ref _recordingFailures), Interlocked.Read(ref _recordingOverruns), Interlocked.Read(ref _clockSteps))
            {
                RecordSource = RecordSource,
                ViewChanges = Interlocked.Read(ref _viewChanges),
                Recording = _recording.ToWire(),
                RecordingReason = _recordingReason,
            };
        }
    }
}

/// <summary>One camera's status as /api/cameras shows it; the source URLs have their credentials removed.</summary>
internal sealed record CameraSnapshot(
    string Id,
    string Name,
    string Source,
    string State,
    string Reason,
    DateTimeOffset Since,
    DateTimeOffset? LastFrameAt,
    long FramesReceived,
    long FramesAnalysed,
    long FramesDropped,
    long Reconnects,
    long DecodeErrors,
    long Cases,
    long RecordingFailures,
    long RecordingOverruns,
    long ClockSteps)
{
    /// <summary>The separately recorded main stream; null when <see cref="Source"/> is also the recorded stream.</summary>
    public string? RecordSource { get; init; }

    /// <summary>Times new-object detection saw the whole view change (the camera moved, the picture changed everywhere) and learned the scene again.</summary>
    public long ViewChanges { get; init; }

    /// <summary>off, starting, ok or failing (<see cref="RecordingState"/>).</summary>
    public string Recording { get; init; } = "starting";

    public string RecordingReason { get; init; } = "";
}
