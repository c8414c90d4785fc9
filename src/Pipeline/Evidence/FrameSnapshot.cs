using Vision.Models;

namespace Vision.Pipeline.Evidence;

/// <summary>A JPEG of one analysed frame kept for an episode's evidence, with the object's box at that moment.</summary>
internal sealed record FrameSnapshot(byte[] Jpeg, DateTimeOffset At, TimeSpan StreamTime, BoundingBox Box, float Score);

/// <summary>Which moment of the episode a photo shows.</summary>
internal enum PhotoRole { FirstSeen, Midway, Confirmation }

internal static class PhotoRoleNames
{
    public static string ToWire(this PhotoRole role) => role switch
    {
        PhotoRole.FirstSeen => "first_seen",
        PhotoRole.Midway => "midway",
        PhotoRole.Confirmation => "confirmation",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static string ChineseName(this PhotoRole role) => role switch
    {
        PhotoRole.FirstSeen => "首次发现",
        PhotoRole.Midway => "持续中",
        PhotoRole.Confirmation => "确认",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}
