using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Models;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Tracking;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Upload;
using Vision.Rules.Config;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// <c>vision run</c>'s camera service: supervises the live cameras and runs them through the same analysis loop as
/// replay, and watches the config file to apply edits without a restart (a broken edit is refused, the old config
/// keeps running). Confirmed violations go to the <see cref="EvidenceService"/>, which never makes this loop wait.
/// The other long-running jobs are their own hosted services (<see cref="EvidenceService"/>, <see cref="UploadService"/>,
/// <see cref="RetentionService"/>, <see cref="DispatchService"/>); this one is registered last, so it stops first.
/// </summary>
public sealed class LiveService : BackgroundService
{
    private static readonly TimeSpan ConfigPollInterval = TimeSpan.FromSeconds(2);

    private readonly IObjectDetector _detector;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly FrameMailboxes _mailboxes;
    private readonly StageTimings _timings = new();
    private readonly AnalysisLoop _loop;
    private readonly CameraSupervisor _supervisor;
    private readonly EvidenceService _evidence;
    private readonly RunningConfig _running;
    private string _configFingerprint;

    /// <param name="children">Where the cameras' ffmpeg processes (and the evidence work's from their recordings) are registered.</param>
    public LiveService(RunningConfig running, IObjectDetector detector, EvidenceStorage storage, EvidenceService evidence, Func<DispatchStatus?> dispatch,
        ILoggerFactory logs, TimeProvider clock, ChildProcesses children, Cluster.ICameraOwnership? ownership = null)
    {
        Ownership = ownership ?? Cluster.AllCameras.Instance;
        Storage = storage;
        _evidence = evidence;
        var config = running.Current;
        _running = running;
        _configFingerprint = ConfigFingerprint(config);
        _detector = detector;
        _log = logs.CreateLogger("Vision.Service");
        _clock = clock;
        _mailboxes = new FrameMailboxes(clock);
        _loop = new AnalysisLoop(detector, config.Detector.MaxBatch, config.Detector.MaxBatchWait, _timings)
        {
            MergeIou = config.Detector.NmsIou,
            MayAnalyse = ownership is null ? null : ownership.MayAnalyse,
            BatchFailed = (e, cameras) => _log.LogError(e, "analysis of a batch from camera(s) {Cameras} failed; its frames were dropped and the other cameras go on", string.Join(", ", cameras)),
        };
        // Plate reading is loaded once at start (with the evidence writer): the analysers follow that, not a reloaded config.
        _supervisor = new CameraSupervisor(_loop, _mailboxes, detector.ClassNames, clock, logs, children, plateTurnover: config.Plates is not null);
        Metrics = new VisionMetrics(Prometheus.Metrics.DefaultRegistry, () => _supervisor.Cameras, () => _mailboxes.Depth, () => evidence.Pending, storage.Snapshot,
            dispatch, evidence.Backlog.Snapshot);
        _loop.BatchDetected += Metrics.ObserveBatch;
        Thumbnails = new CameraThumbnails(this, clock);
        Frames = new CameraFrames(this);
        _loop.FrameAnalysed += (frame, cases) =>
        {
            Thumbnails.Offer(frame);
            Frames.Offer(frame);
            if (_supervisor.FindHealth(frame.CameraId) is not { } health) return;
            health.FrameAnalysed();
            for (int i = 0; i < cases; i++) health.CaseRaised();
        };
    }

    public VisionMetrics Metrics { get; }

    /// <summary>Which cameras of the config this node analyses (all of them, unless it is one node of a cluster).</summary>
    public Cluster.ICameraOwnership Ownership { get; }

    private readonly SemaphoreSlim _applying = new(1, 1);
    private volatile bool _stopping;

    public EvidenceStorage Storage { get; }

    /// <summary>Camera states and last-frame thumbnails for the review console.</summary>
    public CameraThumbnails Thumbnails { get; }

    /// <summary>Cameras' latest full-resolution frames, for the console's zone editor.</summary>
    public CameraFrames Frames { get; }

    /// <summary>The config running now (changes on reload).</summary>
    public VisionConfig Config => _running.Current;

    /// <summary>True once the cameras of the first config have been started.</summary>
    public bool Ready { get; private set; }

    /// <summary>Why the last edit of the config file was refused; null when it was applied.</summary>
    public string? LastReloadError => _running.LastReloadError;

    /// <summary>How many edits of the config (or its zones files) have been applied since start.</summary>
    public int ConfigReloads => _running.Reloads;

    public IReadOnlyList<CameraSnapshot> Cameras() => _supervisor.Cameras.Select(h => h.Snapshot()).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();

    /// <summary>The clip source of a camera (its recording ring), for the evidence writer.</summary>
    public IClipSource? ClipsFor(CameraConfig camera) => _supervisor.ClipsFor(camera);

    /// <summary>Where a camera's full-resolution photo frames come from (its recording ring), for the evidence writer.</summary>
    public IFrameSource? FramesFor(CameraConfig camera) => _supervisor.FramesFor(camera);

    public StageTimings Timings => _timings;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = _running.Current;
        WarnIfRingTooShort(config);
        _stoppingToken = stoppingToken;
        await ApplyOwnedAsync(config, stoppingToken).ConfigureAwait(false);
        Ready = true;
        _log.LogInformation("running {Count} camera(s) from {Config}; evidence in {Evidence}", config.Cameras.Count, config.SourcePath, Path.GetFullPath(config.Evidence.Directory));

        var watcher = Task.Run(() => WatchConfigAsync(stoppingToken), CancellationToken.None);
        try
        {
            await _loop.RunAsync(_mailboxes, (c, _) =>
            {
                _evidence.Submit(c);
                return ValueTask.CompletedTask;
            }, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _log.LogInformation("stopping: closing cameras, then finishing evidence in progress");
            _stopping = true;
            await _applying.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            await _supervisor.DisposeAsync().ConfigureAwait(false);
            try { await watcher.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }

    private async Task WatchConfigAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(ConfigPollInterval, _clock, ct).ConfigureAwait(false);
                string fingerprint = ConfigFingerprint(_running.Current);
                if (fingerprint == _configFingerprint) continue;
                _configFingerprint = fingerprint;
                await ReloadAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Loads and checks the edited config; applies it, or refuses it with the reason and keeps the running one.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var running = _running.Current;
        VisionConfig next;
        try
        {
            next = VisionConfigLoader.Load(running.SourcePath);
            ClassNameCheck.Validate(next, _detector.ClassNames);
            if (next.Detector != running.Detector)
                _log.LogWarning("config: detector settings changed; they take effect at the next restart (the model stays loaded)");
            if (next.Evidence with { PreRoll = running.Evidence.PreRoll, PostRoll = running.Evidence.PostRoll, JpegQuality = running.Evidence.JpegQuality } != running.Evidence)
                _log.LogWarning("config: evidence storage settings (directory, spool, store, retention) changed; they take effect at the next restart");
            if (next.Plates != running.Plates)
                _log.LogWarning("config: plates settings changed; they take effect at the next restart (plate reading stays as it started)");
        }
        catch (ConfigException e)
        {
            _running.Refuse(e.Message);
            Metrics.ConfigReload(failed: true);
            _log.LogError("config edit refused, the previous config keeps running:{NewLine}{Errors}", Environment.NewLine, e.Message);
            return;
        }
        var (was, now) = (running.Evidence, next.Evidence);
        _running.Accept(next);
        await ApplyOwnedAsync(next, ct).ConfigureAwait(false);
        if (now.PreRoll != was.PreRoll || now.PostRoll != was.PostRoll || now.JpegQuality != was.JpegQuality)
        {
            _evidence.UseSettings(now);
            _log.LogInformation("config: new cases use pre_roll {PreRoll}, post_roll {PostRoll}, jpeg_quality {Quality}",
                ConfigDuration.Format(now.PreRoll), ConfigDuration.Format(now.PostRoll), now.JpegQuality);
        }
        _running.Applied();
        Metrics.ConfigReload(failed: false);
        _log.LogInformation("config reloaded: {Count} camera(s)", next.Cameras.Count);
    }

    private CancellationToken _stoppingToken;

    /// <summary>The cluster moved cameras to or from this node: starts and stops them to match (stopped ones have stopped on return).</summary>
    public Task ApplyOwnershipAsync(CancellationToken ct) => ApplyOwnedAsync(_running.Current, ct);

    private async Task ApplyOwnedAsync(VisionConfig config, CancellationToken ct)
    {
        await _applying.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_stopping) return;
            var owned = config with { Cameras = config.Cameras.Where(c => Ownership.Owns(c.Id)).ToList() };
            // Cameras started now run until the service stops, not until the caller's token ends.
            await _supervisor.ApplyAsync(owned, _stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    private void WarnIfRingTooShort(VisionConfig config)
    {
        if (!config.Recording.Enabled) return;
        foreach (var camera in config.Cameras)
            foreach (var rule in camera.Rules)
            {
                var needed = rule.Dwell + config.Evidence.PreRoll + config.Evidence.PostRoll;
                if (needed > config.Recording.Keep)
                    _log.LogWarning("camera {CameraId} rule {RuleId}: dwell + pre_roll + post_roll is {Needed} but recording.keep is {Keep}: its clips will start after the episode start",
                        camera.Id, rule.Id, ConfigDuration.Format(needed), ConfigDuration.Format(config.Recording.Keep));
            }
    }

    /// <summary>The config file's and its included files' (zones files') contents: an edit of any of them is a reload.</summary>
    private static string ConfigFingerprint(VisionConfig config)
    {
        var fingerprint = new System.Text.StringBuilder(FileFingerprint(config.SourcePath));
        foreach (var included in config.IncludedFiles) fingerprint.Append(' ').Append(FileFingerprint(included));
        return fingerprint.ToString();
    }

    private static string FileFingerprint(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) : "missing";
        }
        catch (IOException)
        {
            return "unreadable";
        }
    }
}
