using System.Globalization;

namespace Vision.Soak;

/// <summary>One scrape of the service's Prometheus text: sums of a metric's samples by name (all label sets).</summary>
public sealed class Metrics
{
    private readonly Dictionary<string, double> _sums = new(StringComparer.Ordinal);

    public static async Task<Metrics> ScrapeAsync(HttpClient http)
    {
        var result = new Metrics();
        string text;
        try { text = await http.GetStringAsync("/metrics"); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return result; }
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
            int brace = line.IndexOf('{');
            string name = brace >= 0 && brace < space ? line[..brace] : line[..space];
            result._sums[name] = result._sums.GetValueOrDefault(name) + value;
        }
        return result;
    }

    /// <summary>The metric's value summed over every label set (0 when absent).</summary>
    public double Get(string name) => _sums.GetValueOrDefault(name);
}
