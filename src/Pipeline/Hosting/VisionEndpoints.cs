using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vision.Pipeline.Cluster;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Upload;
using Vision.ReviewConsole;
using Vision.Storage;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// <c>vision run</c>'s HTTP side: the review console over this node's services, /healthz and /readyz for probes (open),
/// and the operations endpoints /api/cameras, /api/status and /metrics (a signed-in admin or the ops token).
/// </summary>
internal static class VisionEndpoints
{
    public static void MapVision(this WebApplication app, VisionNodeParts node, OpsToken opsToken, byte[]? linkKey)
    {
        var services = app.Services;
        var config = node.Config;
        var running = services.GetRequiredService<RunningConfig>();
        var storage = services.GetRequiredService<EvidenceStorage>();
        var thumbnails = services.GetRequiredService<CameraThumbnails>();
        app.MapVisionConsole(
            new ConsoleSources(storage.Cases, new UserStore(node.Database), storage.Outbox, storage.Catalog, node.Store, config.Evidence.Directory, () => running.Current,
                services.GetService<ClusterCoordinator>() is { } coordinator ? new ClusterCameraStatus(thumbnails, coordinator, running) : thumbnails,
                TimeProvider.System, services.GetRequiredService<CaseObservers>())
            {
                Clips = new BrowserClipPlayback(config.Evidence.Directory, node.Store, services.GetRequiredService<ChildProcesses>()),
                Frames = services.GetRequiredService<CameraFrames>(),
            },
            new EvidenceLinks(config.Evidence.Store.PresignExpiry, TimeProvider.System, linkKey));
        MapOperations(app, opsToken);
    }

    private static void MapOperations(WebApplication app, OpsToken opsToken)
    {
        var services = app.Services;
        var running = services.GetRequiredService<RunningConfig>();
        var cameras = services.GetRequiredService<CameraService>();
        var supervisor = services.GetRequiredService<CameraSupervisor>();
        var storage = services.GetRequiredService<EvidenceStorage>();
        var evidence = services.GetRequiredService<EvidenceService>();
        var capacity = services.GetRequiredService<CapacityMonitor>();
        var timings = services.GetRequiredService<StageTimings>();
        var dispatch = services.GetService<DispatchService>();
        var cluster = services.GetService<ClusterCoordinator>();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => Readiness(cameras, supervisor, running, storage, evidence));
        app.MapGet("/api/cameras", () => Results.Json(supervisor.Snapshots())).RequireAuthorization(ConsoleAuthentication.OpsPolicy);
        app.MapGet("/api/status", () => Results.Json(new
        {
            ready = cameras.Ready,
            capacity = capacity.Current,
            configError = running.LastReloadError,
            configReloads = running.Reloads,
            timeShares = timings.Shares(),
            meanBatchSize = Math.Round(timings.MeanBatchSize, 2),
            evidence = storage.Snapshot(),
            dispatch = dispatch?.Status,
            evidenceBacklog = evidence.Backlog.Snapshot(),
            cluster = cluster is { } node
                ? new { node = node.NodeId, cameras = node.Held().Keys.Order(StringComparer.Ordinal).ToList(), moves = node.Moves, clockOffsetSeconds = node.ClockOffset.Offset?.TotalSeconds, peers = node.Peers.Select(p => new { node = p.NodeId, capacity = p.Capacity, heartbeatAt = p.HeartbeatAt.UtcDateTime }) }
                : null,
            cameras = supervisor.Snapshots(),
        })).RequireAuthorization(ConsoleAuthentication.OpsPolicy);
        app.MapMetrics("/metrics").RequireAuthorization(ConsoleAuthentication.OpsPolicy);
        app.Logger.LogInformation("operations endpoints (/api/cameras, /api/status, /metrics): {Access}",
            opsToken.IsConfigured ? "a signed-in admin or the ops bearer token" : $"a signed-in admin only ({OpsToken.Variable} not set)");
    }

    /// <summary>
    /// Ready = cameras started and the evidence store answering. While the store is down detection goes on and
    /// evidence waits in the spool, but /readyz says why the node is not whole. It is open to probes, so it says only
    /// that much: no store address, paths or config error text (those are in /api/status).
    /// </summary>
    private static IResult Readiness(CameraService cameras, CameraSupervisor supervisor, RunningConfig running, EvidenceStorage storage, EvidenceService evidenceService)
    {
        var evidence = storage.Snapshot();
        var backlog = evidenceService.Backlog.Snapshot();
        bool databaseOk = evidence.Database?.Ok != false;
        string? reason = !cameras.Ready ? "starting cameras"
            : !databaseOk ? "case database unreachable: cases wait in the spool"
            : backlog.HeldCases > 0 ? "evidence disk full: cases held in memory"
            : evidence.StoreOk ? null : "evidence store unreachable";
        bool ready = reason is null;
        var body = new
        {
            ready,
            reason,
            cameras = supervisor.Snapshots().Count,
            configOk = running.LastReloadError is null,
            evidenceStoreOk = evidence.StoreOk,
            caseDatabaseOk = databaseOk,
            spoolNearLimit = evidence.SpoolNearLimit,
            heldCases = backlog.HeldCases,
        };
        return Results.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
