using System.Globalization;
using Vision.Rules;
using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>Where an evidence photo's picture came from.</summary>
internal enum PhotoSource { Recording, AnalysisFrame, LearnedScene }

internal static class PhotoSourceNames
{
    public static string ToWire(this PhotoSource source) => source switch
    {
        PhotoSource.Recording => "recording",
        PhotoSource.AnalysisFrame => "analysis_frame",
        PhotoSource.LearnedScene => "learned_scene",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };
}

/// <summary>
/// What an evidence photo's caption strip says, field by field, in Chinese: local time to the second, place (camera
/// name and address), device id, rule, which photo, dwell, the anti-forgery code and the picture's source.
/// </summary>
internal sealed record PhotoCaption(IReadOnlyList<string> Fields)
{
    /// <param name="photoLabel">Which photo: "2/3 持续中", "车辆特写".</param>
    /// <param name="code">The anti-forgery code (<see cref="AntiForgeryCode"/>).</param>
    public static PhotoCaption For(ViolationCase v, string photoLabel, DateTimeOffset at, float score, TimeZoneInfo zone, string code, PhotoSource source)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var dwell = at - v.StartedAt;
        if (dwell < TimeSpan.Zero) dwell = TimeSpan.Zero;
        string place = v.Camera.Location.Address is { Length: > 0 } address ? $"{v.Camera.Name} {address}" : v.Camera.Name;
        return new PhotoCaption(
        [
            local.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
            "地点 " + place,
            "设备 " + v.Camera.Id,
            $"{v.Rule.Type.ChineseName()} {v.Rule.Name} ({v.Rule.Id} v{v.Rule.Version})",
            string.Create(CultureInfo.InvariantCulture, $"{Glossary.ObjectClassName(v.ClassName)} {score:0.00} #{v.TrackId}"),
            photoLabel,
            string.Create(CultureInfo.InvariantCulture, $"已持续 {(int)dwell.TotalMinutes}分{dwell.Seconds:00}秒"),
            "防伪码 " + AntiForgeryCode.Printed(code),
            source switch
            {
                PhotoSource.Recording => "来源 录像原始帧",
                PhotoSource.LearnedScene => "来源 场景学习(无物体时)",
                _ => "来源 分析帧(录像不可用)",
            },
        ]);
    }
}
