using System.Text;
using System.Text.RegularExpressions;

namespace Vision.Models.Plates;

/// <summary>
/// The mainland Chinese plate formats of GA 36: a province abbreviation, the issuing authority's letter and five
/// characters (no I or O, which read as 1 and 0); new-energy plates with six (D/F first for small cars, last for large
/// ones); 学/警/挂/领 and 粤Z…港/澳 plates with four and the suffix; embassy plates 使 + six digits.
/// </summary>
public static partial class PlateFormat
{
    /// <summary>The 31 province-level abbreviations that open a civil plate.</summary>
    public const string Provinces = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";

    /// <summary>
    /// The plate in <paramref name="raw"/> with separators (middle dot, spaces, dashes) removed and full-width or lower-case
    /// Latin letters made ASCII upper case, or null when the result is not a valid plate. No character is changed into another.
    /// </summary>
    public static string? Normalise(string raw)
    {
        string plate = Clean(raw);
        return IsValid(plate) ? plate : null;
    }

    /// <summary><paramref name="raw"/> without separators and with ASCII upper-case Latin letters, valid or not.</summary>
    public static string Clean(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = new StringBuilder(raw.Length);
        foreach (char c in raw)
        {
            if (Kept(c) is { } kept) text.Append(kept);
        }
        return text.ToString();
    }

    /// <summary>Whether <paramref name="plate"/> (already normalised: no separators, ASCII upper case) is a valid plate.</summary>
    public static bool IsValid(string plate) => plate is not null && Explain(plate) is null;

    /// <summary>Why <paramref name="plate"/> is not a valid plate, in words; null when it is one.</summary>
    public static string? Explain(string plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        if (plate.Length == 0) return "empty";
        if (EmbassyPattern().IsMatch(plate)) return null;
        if (!Provinces.Contains(plate[0], StringComparison.Ordinal)) return $"'{plate[0]}' is not a province abbreviation";
        if (plate.Length < 7) return $"{plate.Length} characters, a plate has 7 or 8";
        if (plate.Length > 8) return $"{plate.Length} characters, a plate has 7 or 8";
        char authority = plate[1];
        if (authority is < 'A' or > 'Z' || authority == 'I') return $"'{authority}' is not an issuing authority letter";
        if (authority == 'O' && plate[^1] != '警') return "issuing authority 'O' is for police plates only";
        string serial = plate[2..];
        if (plate.Length == 8)
            return SmallNewEnergyPattern().IsMatch(serial) || LargeNewEnergyPattern().IsMatch(serial) ? null : $"'{serial}' is not a new-energy serial (D/F + 5, or 5 digits + D/F)";
        char last = serial[^1];
        if ("学警挂领".Contains(last, StringComparison.Ordinal))
            return SerialPattern().IsMatch(serial[..^1]) && serial.Length == 5 ? null : $"'{serial}' is not 4 characters + {last}";
        if (last is '港' or '澳')
            return plate.StartsWith("粤Z", StringComparison.Ordinal) && SerialPattern().IsMatch(serial[..^1]) ? null : $"{last} plates are 粤Z + 4 characters + {last}";
        if (!SerialPattern().IsMatch(serial))
            return serial.Any(c => c is 'I' or 'O') ? $"'{serial}' holds I or O, which plates do not use" : $"'{serial}' is not 5 letters or digits";
        return null;
    }

    /// <summary>The character as it is kept in a normalised plate, or null for a separator or anything else that is dropped.</summary>
    internal static char? Kept(char c)
    {
        if (c is >= '\uFF10' and <= '\uFF19' or >= '\uFF21' and <= '\uFF3A' or >= '\uFF41' and <= '\uFF5A') c = (char)(c - 0xFEE0);
        if (c is >= 'a' and <= 'z') return char.ToUpperInvariant(c);
        if (c is >= 'A' and <= 'Z' or >= '0' and <= '9') return c;
        // CJK unified ideographs: provinces and the suffix characters (anything else fails validation, visibly).
        if (c is >= '\u4E00' and <= '\u9FFF') return c;
        return null;
    }

    [GeneratedRegex("^[0-9A-HJ-NP-Z]{4,5}$")]
    private static partial Regex SerialPattern();

    [GeneratedRegex("^[DF][0-9A-HJ-NP-Z][0-9]{4}$")]
    private static partial Regex SmallNewEnergyPattern();

    [GeneratedRegex("^[0-9]{5}[DF]$")]
    private static partial Regex LargeNewEnergyPattern();

    [GeneratedRegex("^(使[0-9]{6}|[0-9]{6}使)$")]
    private static partial Regex EmbassyPattern();
}
