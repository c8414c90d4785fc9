namespace Vision.Rules.Config;

/// <summary>Resolves time zone names from the config (IANA ids such as Asia/Shanghai) and suggests a fix for a misspelt one.</summary>
internal static class TimeZoneNames
{
    public const string Default = "Asia/Shanghai";

    public static TimeZoneInfo? TryFind(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException) { return null; }
        catch (InvalidTimeZoneException) { return null; }
        catch (ArgumentException) { return null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        catch (System.Security.SecurityException) { return null; }
    }

    public static string UnknownMessage(string id)
    {
        var ids = new List<string>();
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones()) ids.Add(zone.Id);
        var closest = Suggestions.Closest(id, ids);
        var hint = closest is null ? $"use an IANA time zone name such as {Default} or UTC" : $"did you mean '{closest}'?";
        return $"unknown time zone '{id}' ({hint})";
    }
}
