using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// The live case flow's last step: a case whose files are complete goes to the case store and the upload queue (one
/// transaction), under its camera's lease in a cluster. Replay has none: its cases end in cases.jsonl.
/// </summary>
internal interface ICaseSpool
{
    /// <summary>In a cluster: the camera lease a case confirmed now is raised under; null outside a cluster.</summary>
    CaseFence? FenceOf(string cameraId);

    /// <summary>In a cluster: the lease a case refused for a lease change is written under now.</summary>
    IRecoveryFences? RecoveryFences { get; }

    /// <summary>The flow writes this case's folder from now on: spool recovery leaves it alone.</summary>
    void Writing(string caseId);

    /// <summary>The flow is done with this case's folder (written, or not a case).</summary>
    void DoneWriting(string caseId);

    /// <summary>Keeps the lease a case was raised under in its folder, so spool recovery writes it under the same fence.</summary>
    void KeepLease(string caseDirectory, CaseFence fence);

    /// <summary>Records a case whose files are complete (case store + upload queue, one transaction) and wakes the uploader.</summary>
    /// <param name="fence">In a cluster: the camera lease the case was raised under (refused when the camera moved since).</param>
    Task SpoolAsync(WrittenCase written, CaseFence? fence, CancellationToken ct);
}
