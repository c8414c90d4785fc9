using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vision.Models;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tools.Tuning;

/// <summary>
/// Names what a clip's detections depend on: the file, the detector and every analysis setting (rate, size, decode, and
/// whatever is added to <see cref="AnalysisConfig"/> later, such as tiles), and the start the frames are timed from. Two
/// settings with the same key give the same detections, so one recording serves both.
/// </summary>
internal static class DetectionKey
{
    /// <param name="newObjects">Whether the camera's rules name new objects: new-object detection then adds its objects to the detector's.</param>
    public static string For(string clip, DetectorConfig detector, AnalysisConfig analysis, DateTimeOffset? start, bool newObjects = false)
    {
        var file = new FileInfo(clip);
        var text = new StringBuilder();
        text.Append(file.FullName).Append('|').Append(file.Exists ? file.Length : -1).Append('|')
            .Append(file.Exists ? file.LastWriteTimeUtc.Ticks : 0).Append('\n');
        // The whole records as JSON, so a detection setting added to either later changes the key without an edit here.
        text.Append(JsonSerializer.Serialize(detector)).Append('\n');
        text.Append(JsonSerializer.Serialize(analysis)).Append('\n');
        text.Append(Environment.GetEnvironmentVariable(ModelLocator.EnvironmentVariable)).Append('\n');
        text.Append(start?.ToString("O", CultureInfo.InvariantCulture) ?? "file-time");
        // Appended only when on, so the keys of recordings made before new-object detection existed stay valid.
        if (newObjects) text.Append("\nnew_objects");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
