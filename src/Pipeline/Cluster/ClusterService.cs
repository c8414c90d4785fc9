using Microsoft.Extensions.Hosting;
using Vision.Pipeline.Hosting;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Dispatch;

namespace Vision.Pipeline.Cluster;

/// <summary>Runs this node's part of the cluster: heartbeat, camera leases, and starting and stopping cameras as they move.</summary>
public sealed class ClusterService(ClusterCoordinator coordinator, LiveService live) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        coordinator.OwnershipChanged = live.ApplyOwnershipAsync;
        coordinator.ClockOffset.Measured = live.Metrics.ObserveClockOffset;
        return coordinator.RunAsync(stoppingToken);
    }
}
