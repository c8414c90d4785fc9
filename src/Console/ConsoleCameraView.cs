using System.Text.Json.Serialization;
using Vision.Rules.Config;

namespace Vision.ReviewConsole;

/// <summary>The last case of a camera, as the cameras page links it.</summary>
public sealed record ConsoleCameraCase(string CaseId, DateTime ConfirmedAt, string Violation);

/// <summary>
/// One camera of <c>GET /api/console/cameras</c>. Every signed-in role sees its name, place, state and last case (officers
/// need them for the queue's filter); its stream addresses only go to the roles that may see the operations endpoints,
/// and are taken out of the state reasons for everyone else.
/// </summary>
public sealed record ConsoleCameraView(
    string Id, string Name, string? Address, string State, string StateReason, double Fps, string? Recording, string? RecordingReason, string? Node,
    string? ThumbnailUrl, ConsoleCameraCase? LastCase)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RecordSource { get; init; }

    public static ConsoleCameraView Of(ConsoleCamera camera, CameraConfig? config, ConsoleCameraCase? lastCase, bool showStreams)
    {
        string? Reason(string? text)
        {
            if (showStreams || text is null) return text;
            foreach (string? stream in new[] { camera.Source, camera.RecordSource })
                if (!string.IsNullOrEmpty(stream)) text = text.Replace(stream, "(stream)", StringComparison.Ordinal);
            return text;
        }
        return new ConsoleCameraView(camera.Id, camera.Name, config?.Location.Address, camera.State, Reason(camera.Reason)!, camera.Fps, camera.Recording,
            Reason(camera.RecordingReason), camera.Node, camera.HasThumbnail ? $"/api/console/cameras/{Uri.EscapeDataString(camera.Id)}/thumbnail.jpg" : null, lastCase)
        {
            Source = showStreams ? camera.Source : null,
            RecordSource = showStreams ? camera.RecordSource : null,
        };
    }
}
