using System.Security.Cryptography;
using System.Text;

namespace Vision.Pipeline.Evidence;

/// <summary>Case ids that are readable (camera and local time of confirmation) and exactly the same when the same footage is replayed.</summary>
public static class CaseIds
{
    public static string For(ViolationCase c, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(c.ConfirmedAt, zone);
        var key = $"{c.Camera.Id}|{c.Rule.Id}|{c.TrackId}|{c.EpisodeId}|{c.StartedAt.UtcTicks}|{c.ConfirmedAt.UtcTicks}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
        return $"{c.Camera.Id}-{local:yyyyMMdd'T'HHmmss}-{hash}";
    }
}
