using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>In a cluster: decides the lease a recovered case is written under (the lease kept in its spool folder).</summary>
internal interface IRecoveryFences
{
    Task<RecoveryFence> DecideAsync(string cameraId, CaseFence raisedUnder, CancellationToken ct);
}
