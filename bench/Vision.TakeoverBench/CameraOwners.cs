namespace Vision.TakeoverBench;

/// <summary>
/// Which node each camera is online on, read from every running node's /api/cameras at one moment, and the cameras
/// that two nodes listed as started at once (each must be analysed by one node only).
/// </summary>
public sealed record CameraOwners(IReadOnlyDictionary<string, string> Online, IReadOnlyList<string> OnTwoNodes)
{
    public static async Task<CameraOwners> ReadAsync(IEnumerable<VisionNode> nodes, CancellationToken ct)
    {
        var running = nodes.Where(n => n.IsRunning).ToList();
        var answers = await Task.WhenAll(running.Select(n => n.CamerasAsync(ct)));
        var online = new Dictionary<string, string>(StringComparer.Ordinal);
        var started = new Dictionary<string, string>(StringComparer.Ordinal);
        var onTwo = new List<string>();
        for (int i = 0; i < running.Count; i++)
        {
            foreach (var camera in answers[i])
            {
                if (camera.State == "stopped") continue;
                if (started.TryGetValue(camera.Id, out var other)) onTwo.Add($"{camera.Id} on {other} and {running[i].Id}");
                else started[camera.Id] = running[i].Id;
                if (camera.State == "online") online.TryAdd(camera.Id, running[i].Id);
            }
        }
        return new CameraOwners(online, onTwo);
    }

    /// <summary>The cameras online on <paramref name="nodeId"/>.</summary>
    public IReadOnlyList<string> On(string nodeId) => Online.Where(p => p.Value == nodeId).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>Nodes with at least one camera online.</summary>
    public int NodesHolding => Online.Values.Distinct(StringComparer.Ordinal).Count();

    /// <summary>Cameras whose node differs from <paramref name="before"/> (or that were offline there).</summary>
    public int MovedSince(CameraOwners before) =>
        Online.Count(p => !before.Online.TryGetValue(p.Key, out var node) || node != p.Value);
}
