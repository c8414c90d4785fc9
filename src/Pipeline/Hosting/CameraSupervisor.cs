using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Detect.NewObjects;
using Vision.Pipeline.Tracking;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Runs one <see cref="LiveCamera"/> per configured camera and keeps the set in step with the config:
/// <see cref="Apply"/> starts added cameras, stops removed ones, reconnects cameras whose sources (source, streams) or
/// analysis settings changed, and swaps only the rules of cameras whose zones or rules changed.
/// </summary>
internal sealed class CameraSupervisor(
    AnalysisLoop loop,
    FrameMailboxes mailboxes,
    IReadOnlyList<string> classNames,
    TimeProvider clock,
    ILoggerFactory logs,
    ChildProcesses children,
    bool plateTurnover = false) : IRecordings, ISceneChangeObserver, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Running> _cameras = new(StringComparer.Ordinal);
    private readonly ILogger _log = logs.CreateLogger("Vision.Cameras");
    private readonly Random _random = new();
    private readonly ConnectGate _connects = ConnectGate.ForThisMachine();
    private readonly object _gate = new();
    private VisionConfig? _config;

    public IEnumerable<CameraHealth> Cameras => _cameras.Values.Select(r => r.Camera.Health);

    public CameraHealth? FindHealth(string cameraId) => _cameras.TryGetValue(cameraId, out var running) ? running.Camera.Health : null;

    /// <summary>The running cameras' states and counters, ordered by id.</summary>
    public IReadOnlyList<CameraSnapshot> Snapshots() => Cameras.Select(h => h.Snapshot()).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();

    public SegmentRing? RingOf(string cameraId) => _cameras.TryGetValue(cameraId, out var running) ? running.Camera.Ring : null;

    public async Task ApplyAsync(VisionConfig config, CancellationToken ct)
    {
        List<Running> toStop = new();
        lock (_gate)
        {
            var wanted = config.Cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
            foreach (var (id, running) in _cameras)
            {
                if (!wanted.TryGetValue(id, out var next)) { toStop.Add(running); continue; }
                bool reconnect = Fingerprint.Connection(running.Config) != Fingerprint.Connection(next)
                    || _config is null || _config.Live != config.Live || _config.Recording != config.Recording;
                if (reconnect) toStop.Add(running);
                else if (Fingerprint.Rules(running.Config, _config) != Fingerprint.Rules(next, config))
                {
                    running.Config = next;
                    running.Tracker = config.Tracker;
                    running.Schedules = config.Schedules;
                    // The running analyser takes the new rules and keeps what it knows; one is installed on connect otherwise.
                    if (loop.TryGetAnalyzer(id, out var analyzer)) analyzer.Reconfigure(next, config.Tracker, config.Schedules);
                    _log.LogInformation("camera {CameraId}: zones/rules updated without reconnecting", id);
                }
            }
        }

        foreach (var running in toStop) await StopAsync(running).ConfigureAwait(false);

        lock (_gate)
        {
            _config = config;
            foreach (var camera in config.Cameras)
            {
                if (_cameras.ContainsKey(camera.Id)) continue;
                Start(camera, config, ct);
            }
        }
    }

    private void Start(CameraConfig camera, VisionConfig config, CancellationToken ct)
    {
        var ring = config.Recording.Enabled
            ? new SegmentRing(Path.Combine(config.Recording.Directory, camera.Id), config.Recording)
            : null;
        var live = new LiveCamera(camera, config.Live, ring, mailboxes, _connects, children, clock, logs.CreateLogger("Vision.Camera"), _random);
        if (ring is not null) ring.Overrun += live.Health.RecordingOverrun;
        var running = new Running(live, camera, config.Tracker, config.Schedules, CancellationTokenSource.CreateLinkedTokenSource(ct));
        live.Connected += _ => InstallAnalyzer(running, onlyIfSizeChanged: true);
        mailboxes.Add(camera.Id, live.Health);
        _cameras[camera.Id] = running;
        running.Task = live.Recorder is { } recorder
            ? Task.WhenAll(Task.Run(() => live.RunAsync(running.Stop.Token)), Task.Run(() => recorder.RunAsync(running.Stop.Token)))
            : Task.Run(() => live.RunAsync(running.Stop.Token));
        running.Janitor = ring is null ? Task.CompletedTask : Task.Run(() => TrimLoopAsync(ring, running.Stop.Token));
        if (live.Health.RecordSource is { } record)
        {
            _log.LogInformation("camera {CameraId} started (detect {Source}, record {RecordSource})", camera.Id, live.Health.Source, record);
            if (ring is null) _log.LogWarning("camera {CameraId}: streams.record is not used while recording.enabled is false (no clips)", camera.Id);
        }
        else _log.LogInformation("camera {CameraId} started ({Source})", camera.Id, live.Health.Source);
    }

    /// <summary>
    /// A reconnect keeps the camera's analyser (its tracks and reported spots), so a camera that drops
    /// for a moment does not raise the same parked car again; a new source size or new rules make a new one.
    /// </summary>
    private void InstallAnalyzer(Running running, bool onlyIfSizeChanged)
    {
        var (width, height) = running.Camera.SourceSize;
        if (width == 0) return; // not connected yet: installed on connect
        if (onlyIfSizeChanged && running.AnalyzerSize == (width, height)) return;
        running.AnalyzerSize = (width, height);
        // Not "now": the camera's own time (monotonic, from its stream) may be behind or ahead of the wall clock,
        // and a frame still waiting in the mailbox is older than now. The first frame sets the clock.
        loop.SetAnalyzer(new CameraAnalyzer(running.Config, running.Tracker, running.Schedules, classNames, DateTimeOffset.MinValue, width, height,
            plateTurnover: plateTurnover) { SceneChanges = this });
    }

    public void ViewChanged(string cameraId, GlobalChange change)
    {
        FindHealth(cameraId)?.ViewChanged();
        if (change.Kind == GlobalChangeKind.CameraMoved)
            _log.LogWarning("camera {CameraId}: the view moved by {ShiftX:0.#},{ShiftY:0.#} px (camera knocked, or a PTZ preset came back elsewhere); new-object detection learns the scene again and raises no new objects until it has",
                cameraId, change.ShiftX, change.ShiftY);
        else
            _log.LogWarning("camera {CameraId}: the picture changed everywhere ({Changed:P0} of the scene: day/night switch, view blocked or lens changed); new-object detection learns the scene again",
                cameraId, change.ChangedFraction);
    }

    private async Task TrimLoopAsync(SegmentRing ring, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                ring.Trim();
                await Task.Delay(ring.SegmentLength, clock, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StopAsync(Running running)
    {
        string id = running.Config.Id;
        await running.Stop.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(running.Task, running.Janitor).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        mailboxes.Remove(id);
        loop.RemoveAnalyzer(id);
        _cameras.TryRemove(id, out _);
        running.Stop.Dispose();
        _log.LogInformation("camera {CameraId} stopped", id);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var running in _cameras.Values.ToList()) await StopAsync(running).ConfigureAwait(false);
    }

    private sealed class Running(LiveCamera camera, CameraConfig config, TrackerConfig tracker, IReadOnlyDictionary<string, Rules.Schedules.Schedule> schedules, CancellationTokenSource stop)
    {
        public LiveCamera Camera { get; } = camera;
        public CameraConfig Config { get; set; } = config;
        public TrackerConfig Tracker { get; set; } = tracker;
        public IReadOnlyDictionary<string, Rules.Schedules.Schedule> Schedules { get; set; } = schedules;
        public CancellationTokenSource Stop { get; } = stop;
        public Task Task { get; set; } = Task.CompletedTask;
        public Task Janitor { get; set; } = Task.CompletedTask;
        public (int Width, int Height) AnalyzerSize { get; set; }
    }

    /// <summary>What decides whether a changed camera must reconnect (source, analysis) or only get new rules (zones, rules, schedules, tracker).</summary>
    internal static class Fingerprint
    {
        public static string Connection(CameraConfig c) => JsonSerializer.Serialize(new { c.Source, c.RecordSource, c.Analysis });

        /// <summary>Every rule setting counts, whatever the rule's hand-set version says (its <see cref="RuleDefinition.Definition"/> covers zones and schedule).</summary>
        public static string Rules(CameraConfig c, VisionConfig? config) => JsonSerializer.Serialize(new
        {
            c.Name,
            c.TimeZoneId,
            Zones = c.Zones.Select(z => new { z.Id, z.Name, Points = z.Polygon.Points }),
            c.Rules,
            Tracker = config?.Tracker,
        });
    }
}
