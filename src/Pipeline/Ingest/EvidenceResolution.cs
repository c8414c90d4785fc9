using System.Globalization;

namespace Vision.Pipeline.Ingest;

/// <summary>The smallest video GA/T 832 accepts for evidence photos, checked when a camera's (or a file's) video size is known.</summary>
internal static class EvidenceResolution
{
    public const int MinWidth = 1280, MinHeight = 720;

    /// <summary>
    /// The one line that warns about a camera whose recorded (or source) video is too small for evidence photos that
    /// meet GA/T 832, naming what to change; null when it is large enough.
    /// </summary>
    public static string? Warning(string cameraId, int width, int height) =>
        width >= MinWidth && height >= MinHeight ? null
            : string.Create(CultureInfo.InvariantCulture, $"camera {cameraId}: its video is {width}x{height}, below the {MinWidth}x{MinHeight} that GA/T 832 requires of evidence photos; its cases will not meet the standard. Record the camera's main stream (at least 720p) or raise the camera's resolution");
}
