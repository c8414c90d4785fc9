using System.Globalization;

namespace Vision.ReviewConsole;

/// <summary>
/// The dates a queue filter or a report may name: <see cref="Text"/>. Every time between them converts to any camera's
/// time zone and to stored milliseconds, so a typo such as year 0001 or 9999 is answered 400 rather than failing.
/// </summary>
public static class DateBounds
{
    public const string Text = "1970-01-01 to 2999-12-31";

    private static readonly DateOnly First = new(1970, 1, 1), Last = new(2999, 12, 31);

    public static bool Contains(DateOnly date) => date >= First && date <= Last;

    /// <summary>An ISO time (no offset: UTC) between the bounds; false for anything else.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time) && Contains(DateOnly.FromDateTime(time.UtcDateTime));
}
