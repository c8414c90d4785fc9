namespace Vision.Pipeline.Evidence;

/// <summary>Whether a new case may add its clip now: the evidence spool's room (<c>evidence.spool_max_bytes</c>).</summary>
internal interface IClipBudget
{
    /// <summary>Why no clip may be written now (the spool is full), or null. Photos are always written.</summary>
    string? ClipRefusal();
}
