using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>Under which lease a case found complete in the spool is written now; exactly one of the three is set.</summary>
/// <param name="WriteUnder">Write it, fenced by this lease (null: unfenced).</param>
/// <param name="Wait">Not yet: why (the camera's lease is not back on this node yet); tried again at the next pass.</param>
/// <param name="Moved">Never here: the camera is another node's now (it analyses what is still there).</param>
internal sealed record RecoveryFence(CaseFence? WriteUnder, string? Wait = null, string? Moved = null);
