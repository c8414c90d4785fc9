using Vision.Models;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// Something that was not in the camera's empty scene, is not an object the detector sees, and has stayed.
/// </summary>
/// <param name="Id">Stable while the candidate lasts; never reused by the same <see cref="SceneModel"/>.</param>
/// <param name="Box">Where it is, in analysis-frame pixels, on the block grid (<see cref="NewObjectOptions.BlockSize"/>).</param>
/// <param name="FirstSeen">Frame time at which its earliest block was first seen changed and still.</param>
/// <param name="Stayed">How long it has been there: the frame's time minus <see cref="FirstSeen"/>.</param>
/// <param name="Score">How unlike the reference it looks in this frame, 0..1 (mean over its blocks of one minus the structure similarity).</param>
internal readonly record struct NewObject(int Id, BoundingBox Box, DateTimeOffset FirstSeen, TimeSpan Stayed, float Score);
