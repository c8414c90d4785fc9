using System.Security.Cryptography;
using System.Text;

namespace Vision.Pipeline.Evidence;

/// <summary>Case ids that are readable (camera and local time of confirmation) and exactly the same when the same footage is replayed.</summary>
internal static class CaseIds
{
    public static string For(ViolationCase c, TimeZoneInfo zone) =>
        For(c.Camera.Id, c.Rule.Id, c.TrackId, c.EpisodeId, c.StartedAt, c.ConfirmedAt, zone);

    public static string For(string cameraId, string ruleId, int trackId, long episodeId, DateTimeOffset startedAt, DateTimeOffset confirmedAt, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(confirmedAt, zone);
        var key = $"{cameraId}|{ruleId}|{trackId}|{episodeId}|{startedAt.UtcTicks}|{confirmedAt.UtcTicks}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
        return $"{cameraId}-{local:yyyyMMdd'T'HHmmss}-{hash}";
    }
}
