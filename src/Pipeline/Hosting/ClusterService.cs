using Microsoft.Extensions.Hosting;
using Vision.Pipeline.Cluster;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Runs this node's part of the cluster: heartbeat (carrying this node's cameras), camera leases, and starting and
/// stopping cameras as they move.
/// </summary>
internal sealed class ClusterService(ClusterCoordinator coordinator, VisionMetrics metrics) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        coordinator.ClockOffset.Measured = metrics.ObserveClockOffset;
        return coordinator.RunAsync(stoppingToken);
    }
}
