namespace Vision.Pipeline.Cluster;

/// <summary>This node's cameras as the <see cref="ClusterCoordinator"/> drives them: started and stopped as their leases move, described in its heartbeats.</summary>
internal interface INodeCameras
{
    /// <summary>Starts the cameras this node now owns and stops the others; returns once those no longer owned have stopped.</summary>
    Task ApplyOwnershipAsync(CancellationToken ct);

    /// <summary>This node's cameras as its heartbeat carries them to the other nodes (their console shows them).</summary>
    string? States();
}
