using Microsoft.Extensions.Hosting;
using Vision.Pipeline.Cluster;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Runs this node's part of the cluster: heartbeat (carrying this node's cameras), camera leases, and starting and
/// stopping cameras as they move.
/// </summary>
internal sealed class ClusterService(ClusterCoordinator coordinator, CameraService cameras, CameraThumbnails thumbnails, VisionMetrics metrics) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        coordinator.OwnershipChanged = cameras.ApplyOwnershipAsync;
        coordinator.CameraStates = () => ClusterCameraStatus.Serialize(thumbnails.Cameras());
        coordinator.ClockOffset.Measured = metrics.ObserveClockOffset;
        return coordinator.RunAsync(stoppingToken);
    }
}
