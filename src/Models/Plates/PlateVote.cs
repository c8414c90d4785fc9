using System.Globalization;

namespace Vision.Models.Plates;

/// <summary>
/// Votes an episode's readings into one plate: the text whose readings carry most of the confidence wins when it holds a clear
/// majority of it; otherwise, or when no reading is a valid plate, the verdict is null with the reason.
/// </summary>
public static class PlateVote
{
    /// <summary>Share of the valid readings' summed confidence the winning text must hold.</summary>
    public const double MajorityShare = 0.6;

    public static PlateVerdict Vote(IReadOnlyList<PlateReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        if (readings.Count == 0) return new PlateVerdict(null, 0, null, readings, "no readings (no frame of the vehicle was read)");

        var weights = new Dictionary<string, (double Weight, int Count, PlateReading Best)>(StringComparer.Ordinal);
        double total = 0;
        foreach (var reading in readings)
        {
            if (reading.Text is null) continue;
            total += reading.Confidence;
            weights[reading.Text] = weights.TryGetValue(reading.Text, out var w)
                ? (w.Weight + reading.Confidence, w.Count + 1, reading.Confidence > w.Best.Confidence ? reading : w.Best)
                : (reading.Confidence, 1, reading);
        }
        if (weights.Count == 0) return new PlateVerdict(null, 0, null, readings, $"no legible plate in {readings.Count} reading(s): {CommonestReason(readings)}");

        var ranked = weights.OrderByDescending(p => p.Value.Weight).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var (text, (weight, count, best)) = (ranked[0].Key, ranked[0].Value);
        double share = total > 0 ? weight / total : 0;
        if (share < MajorityShare)
        {
            string tally = string.Join(", ", ranked.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} ×{p.Value.Count}")));
            return new PlateVerdict(null, 0, null, readings, $"readings disagree ({tally}): no plate holds {MajorityShare:P0} of the confidence");
        }
        // Mean confidence of the agreeing readings, scaled by how much of the vote they hold.
        return new PlateVerdict(text, weight / count * share, best, readings, null);
    }

    private static string CommonestReason(IReadOnlyList<PlateReading> readings) =>
        readings.Select(r => Category(r.Reason ?? "not read"))
            .GroupBy(r => r, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;

    // Reasons carry the text read ("text is not a plate: 'ABC'"); group by the kind, before the colon.
    private static string Category(string reason)
    {
        int colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? reason[..colon] : reason;
    }
}
