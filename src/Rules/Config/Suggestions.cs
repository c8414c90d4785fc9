namespace Vision.Rules.Config;

/// <summary>"Did you mean" for misspelt keys and names: the closest candidate by edit distance, when it is close enough to be a likely typo.</summary>
public static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="typed"/>, or null when none is plausibly what was meant.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int distance = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best is null) return null;
        // A typo changes a few characters; beyond that the "suggestion" is just another word
        // (and replacing every character of a short word, 'c' for 'a', is no typo).
        int allowed = Math.Max(1, Math.Min(typed.Length, best.Length) / 3);
        return bestDistance <= allowed && bestDistance < typed.Length ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" or an empty string.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates)
    {
        var closest = Closest(typed, candidates);
        return closest is null ? "" : $" (did you mean '{closest}'?)";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                d[i, j] = value;
            }
        }
        return d[a.Length, b.Length];
    }
}
