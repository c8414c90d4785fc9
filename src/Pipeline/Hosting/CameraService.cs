using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Cluster;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// <c>vision run</c>'s cameras: starts the cameras this node owns and runs their frames through the same analysis loop
/// as replay until stopped. Confirmed violations go to the <see cref="EvidenceService"/>, which never makes the loop
/// wait. A reloaded config (<see cref="ConfigReload"/>) or a cluster move (the <see cref="ClusterCoordinator"/>, through
/// <see cref="INodeCameras"/>) changes the running cameras through <see cref="ApplyAsync"/>.
/// </summary>
internal sealed class CameraService : BackgroundService, INodeCameras
{
    private readonly RunningConfig _config;
    private readonly CameraSupervisor _supervisor;
    private readonly AnalysisLoop _loop;
    private readonly FrameMailboxes _mailboxes;
    private readonly EvidenceService _evidence;
    private readonly ICameraOwnership _ownership;
    private readonly CameraThumbnails _thumbnails;
    private readonly CameraFrames _frames;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private volatile bool _stopping;
    private CancellationToken _stoppingToken;

    public CameraService(RunningConfig config, CameraSupervisor supervisor, AnalysisLoop loop, FrameMailboxes mailboxes, EvidenceService evidence,
        ICameraOwnership ownership, CameraThumbnails thumbnails, CameraFrames frames, VisionMetrics metrics, ILogger log)
    {
        _config = config;
        _supervisor = supervisor;
        _loop = loop;
        _mailboxes = mailboxes;
        _evidence = evidence;
        _ownership = ownership;
        _thumbnails = thumbnails;
        _frames = frames;
        _log = log;
        loop.BatchDetected += metrics.ObserveBatch;
        loop.FrameAnalysed += FrameAnalysed;
    }

    /// <summary>True once the cameras of the first config have been started.</summary>
    public bool Ready { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = _config.Current;
        WarnIfRingTooShort(config);
        _stoppingToken = stoppingToken;
        await ApplyAsync(config, stoppingToken).ConfigureAwait(false);
        Ready = true;
        _log.LogInformation("running {Count} camera(s) from {Config}; evidence in {Evidence}", config.Cameras.Count, config.SourcePath, Path.GetFullPath(config.Evidence.Directory));
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
        }
    }

    /// <summary>The cluster moved cameras to or from this node: starts and stops them to match (stopped ones have stopped on return).</summary>
    public Task ApplyOwnershipAsync(CancellationToken ct) => ApplyAsync(_config.Current, ct);

    /// <summary>This node's cameras as its cluster heartbeat carries them to the other nodes (their console shows them).</summary>
    string? INodeCameras.States() => ClusterCameraStatus.Serialize(_thumbnails.Cameras());

    /// <summary>Starts, stops and reconfigures the cameras to match the owned cameras of <paramref name="config"/>.</summary>
    public async Task ApplyAsync(VisionConfig config, CancellationToken ct)
    {
        await _applying.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_stopping) return;
            var owned = config with { Cameras = config.Cameras.Where(c => _ownership.Owns(c.Id)).ToList() };
            // Cameras started now run until the service stops, not until the caller's token ends.
            await _supervisor.ApplyAsync(owned, _stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    private void FrameAnalysed(AnalysisFrame frame, int cases)
    {
        _thumbnails.Offer(frame);
        _frames.Offer(frame);
        if (_supervisor.FindHealth(frame.CameraId) is not { } health) return;
        health.FrameAnalysed();
        for (int i = 0; i < cases; i++) health.CaseRaised();
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
}
