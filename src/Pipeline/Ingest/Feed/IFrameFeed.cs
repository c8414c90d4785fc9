
using Vision.Pipeline.Detect;

namespace Vision.Pipeline.Ingest;

/// <summary>Where the analysis loop takes frames from; each implementation states what happens when frames come faster than they are analysed.</summary>
internal interface IFrameFeed
{
    /// <summary>
    /// Waits for at least one frame, then gathers up to <paramref name="batch"/>.Length, waiting at most
    /// <paramref name="maxWait"/> for more. Returns how many; 0 when the feed has ended.
    /// </summary>
    ValueTask<int> ReadBatchAsync(AnalysisFrame[] batch, TimeSpan maxWait, CancellationToken ct);
}
