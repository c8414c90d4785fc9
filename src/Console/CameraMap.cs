using Vision.Rules.Config;

namespace Vision.ReviewConsole;

/// <summary>One camera on the map page: where it is (WGS-84, null when not configured), its state and node, and its open cases.</summary>
public sealed record MapCamera(string Id, string Name, string? Address, double? Lon, double? Lat, string State, string? Node, int Pending, int Confirmed)
{
    public int Open => Pending + Confirmed;
}

/// <summary>The map page's data: cameras with coordinates, and apart from them the cameras that have none.</summary>
public sealed record CameraMapView(IReadOnlyList<MapCamera> Cameras, IReadOnlyList<MapCamera> Unlocated)
{
    /// <summary>
    /// Every configured camera, in config order, with its live state (from <paramref name="states"/>; <c>unknown</c> when
    /// no node reports it) and open cases; a camera is located only with both <c>location.lon</c> and <c>location.lat</c>.
    /// </summary>
    public static CameraMapView Build(VisionConfig config, IReadOnlyList<ConsoleCamera> states, IReadOnlyDictionary<string, OpenCaseCount> open)
    {
        var byId = new Dictionary<string, ConsoleCamera>(StringComparer.Ordinal);
        foreach (var state in states) byId.TryAdd(state.Id, state);
        var located = new List<MapCamera>();
        var unlocated = new List<MapCamera>();
        foreach (var camera in config.Cameras)
        {
            var live = byId.GetValueOrDefault(camera.Id);
            var count = open.GetValueOrDefault(camera.Id, OpenCaseCount.None);
            var location = camera.Location;
            bool hasPosition = location.Longitude is not null && location.Latitude is not null;
            var item = new MapCamera(camera.Id, camera.Name, location.Address, hasPosition ? location.Longitude : null, hasPosition ? location.Latitude : null,
                live?.State ?? "unknown", live?.Node, count.Pending, count.Confirmed);
            (hasPosition ? located : unlocated).Add(item);
        }
        return new CameraMapView(located, unlocated);
    }
}
