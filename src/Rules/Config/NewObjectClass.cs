namespace Vision.Rules.Config;

/// <summary>
/// The class of what new-object detection finds: anything that appeared in a camera's empty scene and stayed (a pile
/// of garbage, a dumped bag, a stall's tarp and goods), whatever it is. A rule names it in <c>classes</c> or
/// <c>near_classes</c> like a detector class; a camera runs new-object detection only when one of its rules does.
/// </summary>
public static class NewObjectClass
{
    public const string Name = "new_object";

    /// <summary>The classes a camera's tracks and rules know: the detector's, then <see cref="Name"/>.</summary>
    public static IReadOnlyList<string> AppendTo(IReadOnlyList<string> detectorClasses) =>
        detectorClasses.Contains(Name) ? detectorClasses : [.. detectorClasses, Name];

    /// <summary>Whether a rule of the camera names new objects (as its subject or as what must be near).</summary>
    public static bool IsUsedBy(CameraConfig camera)
    {
        foreach (var rule in camera.Rules)
            if (rule.Classes.Contains(Name) || rule.NearClasses.Contains(Name)) return true;
        return false;
    }
}
