using System.Text.Json;
using Vision.ReviewConsole;
using Vision.Rules.Config;

namespace Vision.Pipeline.Cluster;

/// <summary>
/// The console's cameras for the whole cluster: this node's own (live, with thumbnails), the other nodes' as their
/// last heartbeat reported them, and configured cameras no live node holds yet.
/// </summary>
internal sealed class ClusterCameraStatus(ICameraStatusSource local, ClusterCoordinator coordinator, RunningConfig config) : ICameraStatusSource
{
    public const string Unassigned = "unassigned";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>This node's cameras as its heartbeat carries them to the other nodes.</summary>
    public static string Serialize(IReadOnlyList<ConsoleCamera> cameras) => JsonSerializer.Serialize(cameras, Json);

    public IReadOnlyList<ConsoleCamera> Cameras()
    {
        var all = local.Cameras().Select(c => c with { Node = coordinator.NodeId }).ToList();
        var seen = all.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var peer in coordinator.Peers)
        {
            if (peer.CamerasJson is null) continue;
            List<ConsoleCamera>? cameras;
            try { cameras = JsonSerializer.Deserialize<List<ConsoleCamera>>(peer.CamerasJson, Json); }
            catch (JsonException) { continue; } // a node of another version; its cameras show as unassigned
            foreach (var camera in cameras ?? [])
                if (seen.Add(camera.Id)) all.Add(camera with { Node = peer.NodeId, HasThumbnail = false });
        }
        foreach (var camera in config.Current.Cameras)
            if (seen.Add(camera.Id)) all.Add(new ConsoleCamera(camera.Id, camera.Name, Unassigned, "no live node analyses this camera yet (nodes starting, or all down)", 0, false));
        return all.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    public byte[]? Thumbnail(string cameraId) => local.Thumbnail(cameraId);
}
