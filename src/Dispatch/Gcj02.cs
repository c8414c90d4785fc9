namespace Vision.Dispatch;

/// <summary>
/// WGS-84 → GCJ-02, the obfuscated datum Chinese web maps (AMap, Tencent) and many dispatch cores plot in. This is
/// the well-known public approximation: a polynomial-and-sine offset scaled on the Krasovsky 1940 ellipsoid,
/// applied only inside a bounding box around China (points outside it are returned unchanged). Inside China it
/// moves a point by about 40–700 m.
/// </summary>
public static class Gcj02
{
    // Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
    private const double SemiMajorAxis = 6378245.0;
    private const double EccentricitySquared = 0.00669342162296594323;

    // The rectangle the published algorithm treats as China (WGS-84 degrees).
    private const double MinLongitude = 72.004;
    private const double MaxLongitude = 137.8347;
    private const double MinLatitude = 0.8293;
    private const double MaxLatitude = 55.8271;

    /// <summary>The GCJ-02 position of a WGS-84 one, in degrees; unchanged outside China's bounding box.</summary>
    public static (double Longitude, double Latitude) FromWgs84(double longitude, double latitude)
    {
        if (IsOutsideChina(longitude, latitude)) return (longitude, latitude);

        // The offsets are functions of the position relative to 105°E 35°N, in metres on the ellipsoid,
        // turned into degrees with the meridian and parallel radii at this latitude.
        double x = longitude - 105.0;
        double y = latitude - 35.0;
        double latitudeRadians = latitude / 180.0 * Math.PI;
        double sinLatitude = Math.Sin(latitudeRadians);
        double w = 1 - EccentricitySquared * sinLatitude * sinLatitude;
        double sqrtW = Math.Sqrt(w);
        double meridianRadius = SemiMajorAxis * (1 - EccentricitySquared) / (w * sqrtW);
        double parallelRadius = SemiMajorAxis / sqrtW * Math.Cos(latitudeRadians);
        double latitudeShift = LatitudeOffsetMetres(x, y) * 180.0 / (meridianRadius * Math.PI);
        double longitudeShift = LongitudeOffsetMetres(x, y) * 180.0 / (parallelRadius * Math.PI);
        return (longitude + longitudeShift, latitude + latitudeShift);
    }

    /// <summary>True outside the rectangle the algorithm applies to; GCJ-02 equals WGS-84 there.</summary>
    public static bool IsOutsideChina(double longitude, double latitude) =>
        longitude < MinLongitude || longitude > MaxLongitude || latitude < MinLatitude || latitude > MaxLatitude;

    private static double LatitudeOffsetMetres(double x, double y)
    {
        double offset = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.Sqrt(Math.Abs(x));
        offset += Ripple(x) * 2.0 / 3.0;
        offset += (20.0 * Math.Sin(y * Math.PI) + 40.0 * Math.Sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
        offset += (160.0 * Math.Sin(y / 12.0 * Math.PI) + 320.0 * Math.Sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
        return offset;
    }

    private static double LongitudeOffsetMetres(double x, double y)
    {
        double offset = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.Sqrt(Math.Abs(x));
        offset += Ripple(x) * 2.0 / 3.0;
        offset += (20.0 * Math.Sin(x * Math.PI) + 40.0 * Math.Sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
        offset += (150.0 * Math.Sin(x / 12.0 * Math.PI) + 300.0 * Math.Sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
        return offset;
    }

    /// <summary>The short-wavelength term both offsets share.</summary>
    private static double Ripple(double x) => 20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI);
}
