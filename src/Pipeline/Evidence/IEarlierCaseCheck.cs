using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>In a cluster: whether a written case is one that the camera's earlier node already raised.</summary>
internal interface IEarlierCaseCheck
{
    /// <returns>Why the case is the earlier node's; null when it is new.</returns>
    Task<string?> EarlierCaseAsync(CaseRecord record, CancellationToken ct);
}
