using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Dispatch;
using Vision.Models;
using Vision.Pipeline.Cluster;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Upload;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Hosting;

/// <summary>What <c>vision run</c> opens before its host is built (each can fail with a message for the user), and disposes after it stops.</summary>
internal sealed record VisionNodeParts(VisionConfig Config, IObjectDetector Detector, IEvidenceStore Store, CaseDatabase Database, PhotoRenderer Renderer,
    CaseLog CaseLog, HttpClient DispatchHttp)
{
    public CasePlateReader? Plates { get; init; }

    /// <summary>Signs case manifests; null writes them unsigned.</summary>
    public ManifestSigner? Signer { get; init; }

    /// <summary>Signs deliveries to the dispatch core; set when <c>dispatch</c> is configured.</summary>
    public WebhookSignature? DispatchKey { get; init; }

    /// <summary>This node's weight in the cluster (with <c>cluster</c> configured).</summary>
    public int NodeCapacity { get; init; }
}

/// <summary><c>vision run</c>'s composition: every stage's services, wired once.</summary>
internal static class VisionServices
{
    /// <summary>
    /// Registers the node's services. They are started by one <see cref="VisionNode"/> in this order and stopped in the
    /// reverse, whatever the order of registration:
    /// child processes (nothing to start; stopped last, it kills any ffmpeg or ffprobe left), upload (its start
    /// reconciles the spool with the catalog before anything else runs), retention, dispatch (when configured),
    /// evidence, cameras and the analysis loop, config reload, cluster (when configured: stopped before the cameras,
    /// a node leaving stops its cameras and hands their leases over), capacity monitor. Stopping thus closes the
    /// cameras first, then finishes the evidence in progress. The web server starts after all of them and stops first.
    /// </summary>
    public static IServiceCollection AddVision(this IServiceCollection services, VisionNodeParts node)
    {
        var config = node.Config;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RunningConfig(config));
        services.AddSingleton(node.CaseLog);
        services.AddSingleton(new ChildProcesses());
        services.AddSingleton<ChildProcessService>();
        services.AddCaseObservers();

        if (config.Cluster is { } cluster)
        {
            services.AddSingleton(sp => new ClusterCoordinator(new CameraLeases(node.Database), cluster, CaseDatabaseOpener.NodeId(), node.NodeCapacity,
                sp.GetRequiredService<RunningConfig>(), sp.GetRequiredService<TimeProvider>(), Log(sp, "Vision.Cluster"),
                new Lazy<INodeCameras>(() => sp.GetRequiredService<CameraService>()))
            {
                // Cases confirmed just before a camera moves are finished under its lease: post-roll, the last segment, the writing.
                ReleaseGrace = config.Evidence.PostRoll + config.Recording.SegmentLength + TimeSpan.FromSeconds(15),
            });
            services.AddSingleton<ICameraOwnership>(sp => sp.GetRequiredService<ClusterCoordinator>());
            services.AddSingleton<ClusterService>();
        }
        else services.AddSingleton<ICameraOwnership>(AllCameras.Instance);

        AddUploadAndDispatch(services, node);
        AddCameras(services, node);
        AddEvidence(services, node);

        services.AddHostedService(sp =>
        {
            List<IHostedService> ordered =
            [
                sp.GetRequiredService<ChildProcessService>(),
                sp.GetRequiredService<UploadService>(),
                sp.GetRequiredService<RetentionService>(),
            ];
            if (sp.GetService<DispatchService>() is { } dispatch) ordered.Add(dispatch);
            ordered.Add(sp.GetRequiredService<EvidenceService>());
            ordered.Add(sp.GetRequiredService<CameraService>());
            ordered.Add(sp.GetRequiredService<ConfigReload>());
            if (sp.GetService<ClusterService>() is { } clusterService) ordered.Add(clusterService);
            ordered.Add(sp.GetRequiredService<CapacityMonitor>());
            return new VisionNode(ordered, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<VisionNode>>());
        });
        return services;
    }

    private static void AddUploadAndDispatch(IServiceCollection services, VisionNodeParts node)
    {
        var evidence = node.Config.Evidence;
        services.AddSingleton(sp => new EvidenceStorage(evidence, node.Store, node.Database, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<RunningConfig>(), sp.GetRequiredService<CaseObservers>(), fences: sp.GetRequiredService<ICameraOwnership>())
        {
            RecoveryFences = sp.GetService<ClusterCoordinator>() is { } holder
                ? new ClusterRecoveryFences(holder, new CameraLeases(node.Database), sp.GetRequiredService<RunningConfig>())
                : null,
            CaseLog = node.CaseLog,
        });
        services.AddSingleton<UploadService>();
        services.AddSingleton<RetentionService>();
        if (node.DispatchKey is not { } dispatchKey) return;
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<EvidenceStorage>();
            var source = new DispatchCaseSource(storage.Cases, storage.Catalog, node.Store, evidence.Store.PresignExpiry);
            return new DispatchPublisher(storage.Outbox, source, sp.GetRequiredService<RunningConfig>(), dispatchKey, node.DispatchHttp, sp.GetRequiredService<TimeProvider>(),
                Log(sp, "Vision.Dispatch"), observers: sp.GetRequiredService<CaseObservers>()) { Health = storage.Database };
        });
        services.AddSingleton<ICaseObserver>(sp => sp.GetRequiredService<DispatchPublisher>());
        services.AddSingleton<DispatchService>();
    }

    private static void AddCameras(IServiceCollection services, VisionNodeParts node)
    {
        var config = node.Config;
        services.AddSingleton<StageTimings>();
        services.AddSingleton<FrameMailboxes>();
        services.AddSingleton(sp =>
        {
            var log = Log(sp, "Vision.Service");
            // Only in a cluster: a node alone analyses every frame, with no check per frame.
            var gate = config.Cluster is null ? null : sp.GetRequiredService<ICameraOwnership>();
            return new AnalysisLoop(node.Detector, config.Detector.MaxBatch, config.Detector.MaxBatchWait, sp.GetRequiredService<StageTimings>(), gate)
            {
                MergeIou = config.Detector.NmsIou,
                BatchFailed = (e, cameras) => log.LogError(e, "analysis of a batch from camera(s) {Cameras} failed; its frames were dropped and the other cameras go on", string.Join(", ", cameras)),
            };
        });
        // Plate reading is loaded once at start (with the evidence writer): the analysers follow that, not a reloaded config.
        services.AddSingleton(sp => new CameraSupervisor(sp.GetRequiredService<AnalysisLoop>(), sp.GetRequiredService<FrameMailboxes>(), node.Detector.ClassNames,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ChildProcesses>(), plateTurnover: config.Plates is not null));
        services.AddSingleton<IRecordings>(sp => sp.GetRequiredService<CameraSupervisor>());
        services.AddSingleton<RecordingSources>();
        services.AddSingleton<IEvidenceSources>(sp => sp.GetRequiredService<RecordingSources>());
        services.AddSingleton<CameraThumbnails>();
        services.AddSingleton<CameraFrames>();
        services.AddSingleton(sp =>
        {
            var cameras = sp.GetRequiredService<CameraSupervisor>();
            var mailboxes = sp.GetRequiredService<FrameMailboxes>();
            var evidence = sp.GetRequiredService<EvidenceService>();
            var dispatch = sp.GetService<DispatchService>();
            return new VisionMetrics(Prometheus.Metrics.DefaultRegistry, () => cameras.Cameras, () => mailboxes.Depth, () => evidence.Pending,
                sp.GetRequiredService<EvidenceStorage>().Snapshot, () => dispatch?.Status, evidence.Backlog.Snapshot);
        });
        services.AddSingleton(sp => new CameraService(sp.GetRequiredService<RunningConfig>(), sp.GetRequiredService<CameraSupervisor>(), sp.GetRequiredService<AnalysisLoop>(),
            sp.GetRequiredService<FrameMailboxes>(), sp.GetRequiredService<EvidenceService>(), sp.GetRequiredService<ICameraOwnership>(), sp.GetRequiredService<CameraThumbnails>(),
            sp.GetRequiredService<CameraFrames>(), sp.GetRequiredService<VisionMetrics>(), Log(sp, "Vision.Service")));
        services.AddSingleton(sp => new ConfigReload(sp.GetRequiredService<RunningConfig>(), sp.GetRequiredService<CameraService>(), sp.GetRequiredService<EvidenceService>(),
            node.Detector.ClassNames, sp.GetRequiredService<VisionMetrics>(), sp.GetRequiredService<TimeProvider>(), Log(sp, "Vision.Service")));
        services.AddSingleton(sp => new CapacityMonitor(sp.GetRequiredService<CameraSupervisor>(), sp.GetRequiredService<RunningConfig>(), sp.GetRequiredService<VisionMetrics>(),
            sp.GetRequiredService<TimeProvider>(), Log(sp, "Vision.Capacity")));
    }

    private static void AddEvidence(IServiceCollection services, VisionNodeParts node)
    {
        var config = node.Config;
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<EvidenceStorage>();
            var writer = new EvidenceWriter(config.Evidence.Directory, node.Renderer, sp.GetRequiredService<IEvidenceSources>(), config.Evidence.PreRoll, config.Evidence.PostRoll,
                storage.Budget)
            {
                Plates = node.Plates,
                Turnover = node.Plates is null ? null : new PlateTurnover(),
                Signer = node.Signer,
                RecordingLag = config.Recording.SegmentLength + TimeSpan.FromMilliseconds(500),
            };
            var log = Log(sp, "Vision.Evidence");
            var earlier = sp.GetService<ClusterCoordinator>() is { } coordinator
                ? new TakeoverDuplicates(storage.Cases, coordinator, sp.GetRequiredService<RunningConfig>())
                : null;
            var flow = new CaseFlow(writer, node.CaseLog, sp.GetRequiredService<CaseObservers>(), log, storage, earlier);
            return new EvidenceService(flow, config.Evidence.Directory, sp.GetRequiredService<TimeProvider>(), log, storage.Database);
        });
    }

    private static ILogger Log(IServiceProvider sp, string category) => sp.GetRequiredService<ILoggerFactory>().CreateLogger(category);
}
