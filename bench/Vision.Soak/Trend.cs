namespace Vision.Soak;

/// <summary>Least-squares slope of a series of (minutes, value) samples, per hour: what a leak looks like once start-up is over.</summary>
public static class Trend
{
    public static double PerHour(IReadOnlyList<(double Minutes, double Value)> samples)
    {
        int n = samples.Count;
        if (n < 2) return 0;
        double mx = 0, my = 0;
        foreach (var (x, y) in samples) { mx += x; my += y; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0;
        foreach (var (x, y) in samples) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); }
        return sxx == 0 ? 0 : sxy / sxx * 60;
    }
}
