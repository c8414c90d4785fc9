using Vision.Storage;

namespace Vision.Pipeline.Evidence;

/// <summary>The camera lease a case confirmed now is raised under: a case whose camera moved before it was written is refused.</summary>
internal interface ICaseFences
{
    /// <summary>The lease a case of the camera is written under; null for a node alone.</summary>
    CaseFence? FenceOf(string cameraId);
}
