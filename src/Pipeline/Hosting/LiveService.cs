using System.Threading.Channels;
using MediatR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Models;
using Vision.Pipeline.Analysis;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Inference;
using Vision.Pipeline.Live;
using Vision.Pipeline.Spool;
using Vision.Rules.Config;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// <c>vision run</c>: live cameras through the same analysis loop and evidence writer as replay. Watches
/// the config file and applies edits without a restart (a broken edit is refused, the old config keeps
/// running). Evidence is written to the spool and uploaded to the evidence store in the background (see
/// <see cref="EvidenceStorage"/>). On stop, cameras are closed first, then in-flight evidence is finished within the
/// host's shutdown time; a case line is only written once its files are complete.
/// </summary>
public sealed class LiveService : BackgroundService
{
    private const int EvidenceWorkers = 4;
    private const int EvidenceQueueCapacity = 256;
    private static readonly TimeSpan ConfigPollInterval = TimeSpan.FromSeconds(2);

    private readonly IObjectDetector _detector;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly FrameMailboxes _mailboxes;
    private readonly StageTimings _timings = new();
    private readonly Channel<ViolationCase> _confirmed = Channel.CreateBounded<ViolationCase>(new BoundedChannelOptions(EvidenceQueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    private readonly AnalysisLoop _loop;
    private readonly CameraSupervisor _supervisor;
    private VisionConfig _config;
    private string _configFingerprint;

    private readonly ManifestSigner? _signer;
    private readonly IMediator _mediator;
    private readonly CaseLog _caseLog;
    private DispatchStatus? _dispatchStatus;

    public LiveService(VisionConfig config, IObjectDetector detector, EvidenceStorage storage, IMediator mediator, CaseLog caseLog, ILoggerFactory logs, TimeProvider clock,
        ManifestSigner? signer = null, DispatchPublisher? publisher = null)
    {
        _signer = signer;
        _mediator = mediator;
        _caseLog = caseLog;
        Storage = storage;
        Publisher = publisher;
        _config = config;
        _configFingerprint = FileFingerprint(config.SourcePath);
        _detector = detector;
        _logs = logs;
        _log = logs.CreateLogger("Vision.Service");
        _clock = clock;
        _mailboxes = new FrameMailboxes(clock);
        _loop = new AnalysisLoop(detector, config.Detector.MaxBatch, config.Detector.MaxBatchWait, _timings)
        {
            BatchFailed = (e, cameras) => _log.LogError(e, "analysis of a batch from camera(s) {Cameras} failed; its frames were dropped and the other cameras go on", string.Join(", ", cameras)),
        };
        _supervisor = new CameraSupervisor(_loop, _mailboxes, detector.ClassNames, clock, logs);
        Metrics = new VisionMetrics(Prometheus.Metrics.DefaultRegistry, () => _supervisor.Cameras, () => _mailboxes.Depth, () => _confirmed.Reader.Count, storage.Snapshot, () => _dispatchStatus);
        storage.CaseStored += (c, storedAt) => Notify(new EvidenceStored(c, storedAt));
        if (publisher is not null) publisher.Delivered += (id, confirmedAt, at) => Notify(new CaseDispatched(id, confirmedAt, at));
        _loop.BatchDetected += Metrics.ObserveBatch;
        Thumbnails = new CameraThumbnails(this, clock);
        _loop.FrameAnalysed += (frame, cases) =>
        {
            Thumbnails.Offer(frame);
            if (_supervisor.FindHealth(frame.CameraId) is not { } health) return;
            health.FrameAnalysed();
            for (int i = 0; i < cases; i++) health.CaseRaised();
        };
    }

    public VisionMetrics Metrics { get; }

    public EvidenceStorage Storage { get; }

    /// <summary>Camera states and last-frame thumbnails for the review console.</summary>
    public CameraThumbnails Thumbnails { get; }

    /// <summary>Delivers released cases to the dispatch core; null when dispatch is not configured.</summary>
    public DispatchPublisher? Publisher { get; }

    /// <summary>The config running now (changes on reload).</summary>
    public VisionConfig Config => _config;

    /// <summary>The outbox and delivery figures, refreshed every few seconds; null without dispatch.</summary>
    public DispatchStatus? Dispatch => _dispatchStatus;

    /// <summary>True once the cameras of the first config have been started.</summary>
    public bool Ready { get; private set; }

    /// <summary>Why the last edit of the config file was refused; null when it was applied.</summary>
    public string? LastReloadError { get; private set; }

    public IReadOnlyList<CameraSnapshot> Cameras() => _supervisor.Cameras.Select(h => h.Snapshot()).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();

    public StageTimings Timings => _timings;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string evidenceDir = _config.Evidence.Directory;
        Directory.CreateDirectory(evidenceDir);
        using var renderer = new PhotoRenderer(_config.Evidence.JpegQuality);
        if (!renderer.HasCjkFont) _log.LogWarning("no Chinese font installed: labels on evidence photos will show empty boxes (install fonts-noto-cjk)");
        var evidence = new EvidenceWriter(evidenceDir, renderer, _supervisor.ClipsFor, _config.Evidence.PreRoll, _config.Evidence.PostRoll)
        {
            Signer = _signer,
            ClipRefusal = Storage.Budget.ClipRefusal,
        };
        if (_signer is null) _log.LogWarning("no {Variable} set: case manifests are written unsigned", ManifestSigner.KeyVariable);

        await Storage.RecoverAsync(stoppingToken).ConfigureAwait(false);
        // Uploads stop with the service; whatever is still spooled uploads at the next start.
        var uploads = Task.Run(() => Storage.RunAsync(stoppingToken), CancellationToken.None);
        var deliveries = Publisher is null ? Task.CompletedTask : Task.Run(() => RunDispatchAsync(Publisher, stoppingToken), CancellationToken.None);

        // Evidence outlives the cameras on stop: it gets its own token, cancelled only if finishing takes too long.
        using var evidenceStop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, EvidenceWorkers).Select(_ => Task.Run(() => WriteEvidenceAsync(evidence, evidenceStop.Token))).ToArray();

        WarnIfRingTooShort(_config);
        ReserveThreads(_config);
        await _supervisor.ApplyAsync(_config, stoppingToken).ConfigureAwait(false);
        Ready = true;
        _log.LogInformation("running {Count} camera(s) from {Config}; evidence in {Evidence}", _config.Cameras.Count, _config.SourcePath, Path.GetFullPath(evidenceDir));

        var watcher = Task.Run(() => WatchConfigAsync(stoppingToken));
        try
        {
            await _loop.RunAsync(_mailboxes, (c, ct) => _confirmed.Writer.WriteAsync(c, ct), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _log.LogInformation("stopping: closing cameras, then finishing evidence in progress");
            await _supervisor.DisposeAsync().ConfigureAwait(false);
            _confirmed.Writer.TryComplete();
            // Clips still waiting for a post-roll that will never be recorded give up now; photos are kept.
            evidenceStop.CancelAfter(TimeSpan.FromSeconds(5));
            await Task.WhenAll(workers).ConfigureAwait(false);
            try { await watcher.ConfigureAwait(false); } catch (OperationCanceledException) { }
            try { await uploads.ConfigureAwait(false); } catch (OperationCanceledException) { }
            try { await deliveries.ConfigureAwait(false); } catch (OperationCanceledException) { }
            _log.LogInformation("stopped; {Cases} case(s) written this run", _caseLog.Count);
        }
    }

    private async Task WriteEvidenceAsync(EvidenceWriter evidence, CancellationToken ct)
    {
        await foreach (var violation in _confirmed.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                var written = await evidence.WriteAsync(violation, ct).ConfigureAwait(false);
                await _mediator.Publish(new CaseWritten(written), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.LogWarning("camera {CameraId}: a {Violation} case confirmed at {At:O} was not finished before the stop deadline", violation.Camera.Id, violation.Rule.Type.ToWire(), violation.ConfirmedAt);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Disk full or unwritable evidence folder: say so loudly; the next case tries again.
                _log.LogError("camera {CameraId}: could not write the evidence of a {Violation} case: {Reason}", violation.Camera.Id, violation.Rule.Type.ToWire(), e.Message);
            }
            catch (Exception e)
            {
                // A bug in one case's evidence must not take this worker away from every later case.
                _log.LogError(e, "camera {CameraId}: writing the evidence of a {Violation} case failed unexpectedly", violation.Camera.Id, violation.Rule.Type.ToWire());
            }
        }
    }

    /// <summary>Delivers the outbox, and keeps the outbox figures for /metrics and /api/status fresh.</summary>
    private async Task RunDispatchAsync(DispatchPublisher publisher, CancellationToken ct)
    {
        var delivering = publisher.RunAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (pending, dead, oldest) = await Storage.Outbox.StatsAsync(ct).ConfigureAwait(false);
                _dispatchStatus = new DispatchStatus(pending, dead, oldest, publisher.DeliveredCount, publisher.Retries, publisher.DeadLetters, publisher.RejectedByReceiver);
                await Task.Delay(TimeSpan.FromSeconds(2), _clock, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await delivering.ConfigureAwait(false);
    }

    /// <summary>Publishes from a synchronous event; a failing handler is logged, never thrown into the uploader or publisher.</summary>
    private void Notify(INotification notification) =>
        _ = _mediator.Publish(notification, CancellationToken.None).ContinueWith(
            t => _log.LogError(t.Exception, "a handler of {Notification} failed", notification.GetType().Name),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private async Task WatchConfigAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(ConfigPollInterval, _clock, ct).ConfigureAwait(false);
                string fingerprint = FileFingerprint(_config.SourcePath);
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
        VisionConfig next;
        try
        {
            next = VisionConfigLoader.Load(_config.SourcePath);
            ClassNameCheck.Validate(next, _detector.ClassNames);
            if (next.Detector != _config.Detector)
                _log.LogWarning("config: detector settings changed; they take effect at the next restart (the model stays loaded)");
            if (next.Evidence.PreRoll != _config.Evidence.PreRoll || next.Evidence.PostRoll != _config.Evidence.PostRoll || next.Evidence.JpegQuality != _config.Evidence.JpegQuality)
                _log.LogWarning("config: evidence settings (pre_roll, post_roll, jpeg_quality) changed; they take effect at the next restart (cases keep the running ones until then)");
        }
        catch (ConfigException e)
        {
            LastReloadError = e.Message;
            Metrics.ConfigReload(failed: true);
            _log.LogError("config edit refused, the previous config keeps running:{NewLine}{Errors}", Environment.NewLine, e.Message);
            return;
        }
        ReserveThreads(next);
        await _supervisor.ApplyAsync(next, ct).ConfigureAwait(false);
        _config = next;
        LastReloadError = null;
        Metrics.ConfigReload(failed: false);
        _log.LogInformation("config reloaded: {Count} camera(s)", next.Cameras.Count);
    }

    /// <summary>
    /// Redirected pipes of child processes are read synchronously under the hood on Linux, so each
    /// camera's frame and log readers hold a pool thread while they wait. The pool must start with
    /// enough threads for all of them, or it grows too slowly and every camera falls behind.
    /// </summary>
    private static void ReserveThreads(VisionConfig config)
    {
        int wanted = config.Cameras.Count * 2 + Environment.ProcessorCount * 4 + 8;
        ThreadPool.GetMinThreads(out int workers, out int io);
        if (workers < wanted) ThreadPool.SetMinThreads(wanted, Math.Max(io, wanted));
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
