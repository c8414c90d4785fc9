namespace Vision.ReviewConsole;

/// <summary>
/// What a new console password must be: at least <see cref="MinLength"/> characters, at least
/// <see cref="MinDistinct"/> different ones, not one short piece repeated ("abcabcabca") or a run ("1234567890",
/// "qwertyuiop"), not containing the user name, and not one of the most common passwords. Passphrases of a few
/// words pass; a rule on character classes would refuse them while letting "Password1!" through.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 10, MinDistinct = 5;

    public const string Requirement =
        "password: at least 10 characters, not a common password, not a repeated character, pattern or keyboard run, and not the user name (a few words work well, e.g. 'tram depot lantern 42')";

    // The most used passwords of 10 characters or more in public breach lists, and the ones people here would try first.
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "0987654321", "1234567891", "12345678910", "123456789a", "a123456789", "1q2w3e4r5t", "1qaz2wsx3edc",
        "qwertyuiop", "qwerty1234", "qwerty12345", "1qazxsw23edc", "zaq12wsxcde3", "asdfghjkl;", "password12", "password123",
        "password1234", "password!1", "passw0rd123", "p@ssw0rd12", "p@ssword123", "iloveyou12", "iloveyou123", "admin12345",
        "admin123456", "administrator", "welcome123", "welcome1234", "letmein123", "changeme123", "trustno1234", "football123",
        "baseball123", "superman123", "dragon1234", "monkey1234", "sunshine123", "princess123", "abc1234567", "abcd123456",
        "woaini1314", "woaini520520", "5201314520", "1314520520", "aa123456789", "qq123456789", "zxcvbnm123", "computer123",
        "vision12345", "vision123456", "visionvision", "correcthorsebatterystaple", "password", "administrator1",
    };

    private static readonly string[] Runs =
    [
        "abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb", "qazwsxedcrfvtgbyhn",
    ];

    /// <summary>Null when <paramref name="password"/> may be used by <paramref name="username"/>; else <see cref="Requirement"/>.</summary>
    public static string? Problem(string? username, string? password)
    {
        if (password is null || password.Length < MinLength) return Requirement;
        string lower = password.ToLowerInvariant();
        if (Common.Contains(password) || Common.Contains(lower.TrimEnd('!', '.', '?', '1'))) return Requirement;
        if (lower.Distinct().Count() < MinDistinct) return Requirement;
        if (IsRepeatedPiece(lower) || IsRun(lower)) return Requirement;
        if (!string.IsNullOrWhiteSpace(username) && username.Trim().Length >= 3 && lower.Contains(username.Trim().ToLowerInvariant(), StringComparison.Ordinal))
            return Requirement;
        return null;
    }

    /// <summary>"abab…", "abcabc…": the password is a piece of at most a third of its length, repeated.</summary>
    private static bool IsRepeatedPiece(string p)
    {
        for (int piece = 1; piece <= p.Length / 3; piece++)
        {
            bool repeats = true;
            for (int i = piece; i < p.Length && repeats; i++) repeats = p[i] == p[i - piece];
            if (repeats) return true;
        }
        return false;
    }

    /// <summary>An alphabet, digit or keyboard run, forwards or backwards ("1234567890", "poiuytrewq").</summary>
    private static bool IsRun(string p)
    {
        string reversed = new(p.Reverse().ToArray());
        foreach (var run in Runs)
            if (run.Contains(p, StringComparison.Ordinal) || run.Contains(reversed, StringComparison.Ordinal)) return true;
        return false;
    }
}
