using Vision.Pipeline.Upload;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cluster;

/// <summary>
/// In a cluster, the lease a case found complete in this node's spool is written under. A case this node raised is
/// written while the node holds the camera, under the lease it holds now: the same one, or a newer one after a
/// restart or an outage (it is the same node's case, never "moved"). While the camera's lease is not back on this
/// node, the case waits in the spool; once another node holds the camera, that node analyses what is still there and
/// the case is dropped, as a live case fenced off is. A camera gone from the config is no one's: its case is written
/// unfenced.
/// </summary>
internal sealed class ClusterRecoveryFences(ICameraOwnership coordinator, CameraLeases leases, RunningConfig config) : IRecoveryFences
{
    public async Task<RecoveryFence> DecideAsync(string cameraId, CaseFence raisedUnder, CancellationToken ct)
    {
        // A case another node id raised (a renamed node): only under the very lease it was raised under.
        if (raisedUnder.NodeId != coordinator.NodeId) return new RecoveryFence(raisedUnder);
        if (coordinator.Owns(cameraId) && coordinator.FenceOf(cameraId) is { } now) return new RecoveryFence(now);
        if (config.Current.FindCamera(cameraId) is null) return new RecoveryFence(null);
        var lease = await leases.FindAsync(cameraId, ct).ConfigureAwait(false);
        if (lease is { NodeId: { } holder } && holder != coordinator.NodeId && lease.Token > raisedUnder.LeaseToken)
            return new RecoveryFence(null, Moved: $"camera {cameraId} is analysed by node {holder} now (lease token {lease.Token}; the case was raised under {raisedUnder.LeaseToken})");
        return new RecoveryFence(null, Wait: $"camera {cameraId}'s lease is not back on this node yet; the case is written as soon as it is");
    }
}
