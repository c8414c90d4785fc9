namespace Vision.TakeoverBench;

/// <summary>
/// The longest stretch any camera spent online on no node, from successive <see cref="CameraOwners"/> polls: a camera
/// seen offline at one poll and online at a later one was without analysis for at least that long.
/// </summary>
public sealed class OfflineGaps
{
    private readonly Dictionary<string, TimeSpan> _offlineSince = new(StringComparer.Ordinal);

    public TimeSpan Longest { get; private set; }

    public string? LongestCamera { get; private set; }

    public void Observe(IEnumerable<string> cameras, CameraOwners owners, TimeSpan at)
    {
        foreach (string camera in cameras)
        {
            bool online = owners.Online.ContainsKey(camera);
            if (!online) { _offlineSince.TryAdd(camera, at); continue; }
            if (!_offlineSince.Remove(camera, out var since) || at - since <= Longest) continue;
            Longest = at - since;
            LongestCamera = camera;
        }
    }
}
