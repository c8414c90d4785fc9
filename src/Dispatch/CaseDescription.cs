using System.Globalization;
using Vision.Rules.Config;

namespace Vision.Dispatch;

/// <summary>
/// The Chinese one-line description (问题描述) of a case, as an officer would write it:
/// "人民路东侧人行道 机动车违停 已停放 6 分 12 秒".
/// </summary>
public static class CaseDescription
{
    /// <summary>Place (the location's address, else the camera's name), violation, and how long it has lasted at confirmation.</summary>
    public static string For(CaseFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        string place = facts.Camera.Location.Address ?? facts.Camera.Name;
        string lasted = facts.Rule.Type == ViolationType.IllegalParking ? "已停放" : "已持续";
        return $"{place} {facts.Rule.Type.ChineseName()} {lasted} {Duration(facts.ConfirmedAt - facts.StartedAt)}";
    }

    /// <summary>"45 秒", "6 分 12 秒", "1 小时 0 分 5 秒": whole seconds, larger units only when reached.</summary>
    public static string Duration(TimeSpan duration)
    {
        long total = Math.Max(0, (long)Math.Floor(duration.TotalSeconds));
        long hours = total / 3600, minutes = total / 60 % 60, seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours} 小时 {minutes} 分 {seconds} 秒")
            : minutes > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{minutes} 分 {seconds} 秒")
                : string.Create(CultureInfo.InvariantCulture, $"{seconds} 秒");
    }
}
