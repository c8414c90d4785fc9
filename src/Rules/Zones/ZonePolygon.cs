using System.Globalization;

namespace Vision.Rules.Zones;

/// <summary>A point in normalised image coordinates: (0,0) top-left, (1,1) bottom-right.</summary>
public readonly record struct NormalizedPoint(double X, double Y);

/// <summary>A simple polygon in normalised image coordinates, so a zone survives a change of resolution.</summary>
public sealed class ZonePolygon
{
    /// <summary>
    /// The most corners a zone may have: enough to follow any kerb or square, and it keeps the crossing check (every
    /// pair of edges) and the per-frame containment test small.
    /// </summary>
    public const int MaxPoints = 256;

    // Normalised coordinates: 1e-9 is far below a pixel on any real frame, yet above float noise.
    private const double Epsilon = 1e-9;

    public ZonePolygon(IReadOnlyList<NormalizedPoint> points)
    {
        var problem = Validate(points);
        if (problem is not null) throw new ArgumentException(problem, nameof(points));
        _points = [.. points];
    }

    // A private copy: the caller's list cannot change the zone after validation, and Contains indexes an array.
    private readonly NormalizedPoint[] _points;

    public IReadOnlyList<NormalizedPoint> Points => _points;

    /// <summary>True when the normalised point lies inside (or on the edge of) the polygon.</summary>
    public bool Contains(double x, double y)
    {
        var points = _points;
        int n = points.Length;
        bool inside = false;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            var a = points[j];
            var b = points[i];
            if (OnSegment(a, b, x, y)) return true;
            // Even-odd ray cast to the right; the half-open test on y counts a vertex once.
            if ((b.Y > y) != (a.Y > y))
            {
                double crossX = a.X + (y - a.Y) * (b.X - a.X) / (b.Y - a.Y);
                if (x < crossX) inside = !inside;
            }
        }
        return inside;
    }

    /// <summary>Null when the points make a usable polygon; otherwise what is wrong, in words a user can act on.</summary>
    public static string? Validate(IReadOnlyList<NormalizedPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        int n = points.Count;
        if (n < 3)
            return $"a polygon needs at least 3 points, got {n}: list the zone's corners in order, e.g. [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]";
        if (n > MaxPoints) return TooManyPoints(n);

        for (int i = 0; i < n; i++)
        {
            var p = points[i];
            if (!(p.X >= 0 && p.X <= 1 && p.Y >= 0 && p.Y <= 1))
                return $"point [{i}] {Format(p)} is outside the image: coordinates are fractions of the frame's width and height, each 0..1";
        }

        for (int i = 0; i < n; i++)
        {
            var next = points[(i + 1) % n];
            if (Same(points[i], next))
                return $"points [{i}] and [{(i + 1) % n}] are the same point {Format(next)}: remove the repeat (the polygon closes itself; do not repeat the first point at the end)";
        }

        if (AllCollinear(points))
            return "the polygon has zero area: all its points lie on one line; give the corners of a real area";

        // Every pair of edges must meet only where adjacent edges share a corner.
        for (int i = 0; i < n; i++)
        {
            var a1 = points[i];
            var a2 = points[(i + 1) % n];
            for (int j = i + 1; j < n; j++)
            {
                var b1 = points[j];
                var b2 = points[(j + 1) % n];
                bool adjacent = j == i + 1 || (i == 0 && j == n - 1);
                if (adjacent)
                {
                    // Neighbours share one corner; they are wrong only when they fold back over each other.
                    var shared = j == i + 1 ? a2 : a1;
                    var otherA = j == i + 1 ? a1 : a2;
                    var otherB = j == i + 1 ? b2 : b1;
                    if (FoldsBack(shared, otherA, otherB))
                        return $"the polygon crosses itself: edges {Edge(i, n)} and {Edge(j, n)} fold back over each other; list the corners in order around the zone";
                }
                else if (SegmentsIntersect(a1, a2, b1, b2))
                {
                    return $"the polygon crosses itself: edges {Edge(i, n)} and {Edge(j, n)} intersect; list the corners in order around the zone (clockwise or anticlockwise), not criss-cross";
                }
            }
        }

        if (Math.Abs(SignedArea(points)) < Epsilon)
            return "the polygon has zero area; give the corners of a real area";
        return null;
    }

    /// <summary>What to do about a polygon of <paramref name="count"/> points, more than <see cref="MaxPoints"/>.</summary>
    public static string TooManyPoints(int count) =>
        $"a polygon has at most {MaxPoints} points, got {count}: trace the zone with fewer corners (drop points that lie almost on a line between their neighbours)";

    /// <summary>Signed area by the shoelace formula (positive when the points run anticlockwise in x-right, y-up axes).</summary>
    internal static double SignedArea(IReadOnlyList<NormalizedPoint> points)
    {
        double sum = 0;
        for (int i = 0, j = points.Count - 1; i < points.Count; j = i++)
            sum += points[j].X * points[i].Y - points[i].X * points[j].Y;
        return sum / 2;
    }

    private static string Edge(int i, int n) => $"[{i}]-[{(i + 1) % n}]";

    private static string Format(NormalizedPoint p) =>
        string.Create(CultureInfo.InvariantCulture, $"({p.X}, {p.Y})");

    private static bool Same(NormalizedPoint a, NormalizedPoint b) =>
        Math.Abs(a.X - b.X) < Epsilon && Math.Abs(a.Y - b.Y) < Epsilon;

    private static double Cross(NormalizedPoint o, NormalizedPoint a, NormalizedPoint b) =>
        (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);

    private static bool AllCollinear(IReadOnlyList<NormalizedPoint> points)
    {
        var origin = points[0];
        var direction = points[1];
        for (int i = 2; i < points.Count; i++)
            if (Math.Abs(Cross(origin, direction, points[i])) >= Epsilon) return false;
        return true;
    }

    /// <summary>Edges shared→a and shared→b lie on one line and point the same way, so they overlap.</summary>
    private static bool FoldsBack(NormalizedPoint shared, NormalizedPoint a, NormalizedPoint b)
    {
        if (Math.Abs(Cross(shared, a, b)) >= Epsilon) return false;
        double dot = (a.X - shared.X) * (b.X - shared.X) + (a.Y - shared.Y) * (b.Y - shared.Y);
        return dot > 0;
    }

    private static bool SegmentsIntersect(NormalizedPoint p1, NormalizedPoint p2, NormalizedPoint q1, NormalizedPoint q2)
    {
        double d1 = Cross(q1, q2, p1);
        double d2 = Cross(q1, q2, p2);
        double d3 = Cross(p1, p2, q1);
        double d4 = Cross(p1, p2, q2);
        if (((d1 > Epsilon && d2 < -Epsilon) || (d1 < -Epsilon && d2 > Epsilon)) &&
            ((d3 > Epsilon && d4 < -Epsilon) || (d3 < -Epsilon && d4 > Epsilon)))
            return true;
        // Touching or collinear overlap counts: a zone that pinches to a point is not a simple polygon.
        return (Math.Abs(d1) < Epsilon && Within(q1, q2, p1))
            || (Math.Abs(d2) < Epsilon && Within(q1, q2, p2))
            || (Math.Abs(d3) < Epsilon && Within(p1, p2, q1))
            || (Math.Abs(d4) < Epsilon && Within(p1, p2, q2));
    }

    /// <summary>Point p, known to be on the line a-b, lies between a and b.</summary>
    private static bool Within(NormalizedPoint a, NormalizedPoint b, NormalizedPoint p) =>
        p.X >= Math.Min(a.X, b.X) - Epsilon && p.X <= Math.Max(a.X, b.X) + Epsilon &&
        p.Y >= Math.Min(a.Y, b.Y) - Epsilon && p.Y <= Math.Max(a.Y, b.Y) + Epsilon;

    private static bool OnSegment(NormalizedPoint a, NormalizedPoint b, double x, double y)
    {
        var p = new NormalizedPoint(x, y);
        return Math.Abs(Cross(a, b, p)) < Epsilon && Within(a, b, p);
    }
}
