namespace Vision.Rules.Zones;

/// <summary>A point in normalised image coordinates: (0,0) top-left, (1,1) bottom-right.</summary>
public readonly record struct NormalizedPoint(double X, double Y);

/// <summary>A simple polygon in normalised image coordinates, so a zone survives a change of resolution.</summary>
public sealed class ZonePolygon
{
    public ZonePolygon(IReadOnlyList<NormalizedPoint> points)
    {
        var problem = Validate(points);
        if (problem is not null) throw new ArgumentException(problem, nameof(points));
        Points = points;
    }

    public IReadOnlyList<NormalizedPoint> Points { get; }

    /// <summary>True when the normalised point lies inside (or on the edge of) the polygon.</summary>
    public bool Contains(double x, double y) => throw new NotImplementedException();

    /// <summary>Null when the points make a usable polygon; otherwise what is wrong, in words a user can act on.</summary>
    public static string? Validate(IReadOnlyList<NormalizedPoint> points) => throw new NotImplementedException();
}
