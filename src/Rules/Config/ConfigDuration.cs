using System.Globalization;
using System.Text;

namespace Vision.Rules.Config;

/// <summary>Durations as written in the config: "250ms", "90s", "3m", "1h30m", "180d", or a plain number of seconds.</summary>
public static class ConfigDuration
{
    public const string Examples = "90s, 3m, 1h30m, 250ms, 180d, or a plain number of seconds";

    /// <summary>Parses a duration; negative values ("-5s") parse so that range checks can name them.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var s = text.Trim();
        if (s.Length == 0) return false;
        bool negative = s[0] == '-';
        if (negative || s[0] == '+') s = s[1..];
        if (s.Length == 0) return false;

        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plainSeconds))
            return Finish(plainSeconds * 1000, negative, out value);

        double totalMs = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)) return false;

            double unitMs;
            if (Unit(s, ref i, "ms")) unitMs = 1;
            else if (Unit(s, ref i, "d")) unitMs = 86_400_000;
            else if (Unit(s, ref i, "h")) unitMs = 3_600_000;
            else if (Unit(s, ref i, "m")) unitMs = 60_000;
            else if (Unit(s, ref i, "s")) unitMs = 1000;
            else return false;
            totalMs += amount * unitMs;
        }
        return Finish(totalMs, negative, out value);
    }

    /// <summary>The shortest config spelling of a duration, e.g. "1h30m", "250ms", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }
        long ms = (long)value.TotalMilliseconds;
        long days = ms / 86_400_000; ms %= 86_400_000;
        long hours = ms / 3_600_000; ms %= 3_600_000;
        long minutes = ms / 60_000; ms %= 60_000;
        long seconds = ms / 1000; ms %= 1000;
        if (days > 0) sb.Append(CultureInfo.InvariantCulture, $"{days}d");
        if (hours > 0) sb.Append(CultureInfo.InvariantCulture, $"{hours}h");
        if (minutes > 0) sb.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        if (seconds > 0) sb.Append(CultureInfo.InvariantCulture, $"{seconds}s");
        if (ms > 0) sb.Append(CultureInfo.InvariantCulture, $"{ms}ms");
        return sb.ToString();
    }

    private static bool Unit(string s, ref int i, string unit)
    {
        if (string.CompareOrdinal(s, i, unit, 0, unit.Length) != 0) return false;
        // "m" must not swallow the "m" of "ms".
        int end = i + unit.Length;
        if (unit == "m" && end < s.Length && s[end] == 's') return false;
        i = end;
        return true;
    }

    private static bool Finish(double ms, bool negative, out TimeSpan value)
    {
        value = default;
        if (double.IsNaN(ms) || double.IsInfinity(ms) || ms > TimeSpan.MaxValue.TotalMilliseconds / 2) return false;
        value = TimeSpan.FromMilliseconds(negative ? -ms : ms);
        return true;
    }
}
