using Vision.Rules.Zones;

namespace Vision.Rules.Tests.Zones;

public sealed class ZonePolygonTests
{
    private static ZonePolygon Polygon(params double[] xy)
    {
        var points = new List<NormalizedPoint>();
        for (int i = 0; i < xy.Length; i += 2) points.Add(new NormalizedPoint(xy[i], xy[i + 1]));
        return new ZonePolygon(points);
    }

    private static string? Problem(params double[] xy)
    {
        var points = new List<NormalizedPoint>();
        for (int i = 0; i < xy.Length; i += 2) points.Add(new NormalizedPoint(xy[i], xy[i + 1]));
        return ZonePolygon.Validate(points);
    }

    private static readonly ZonePolygon Square = Polygon(0.2, 0.2, 0.8, 0.2, 0.8, 0.8, 0.2, 0.8);

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.21, 0.79)]
    public void Point_inside_a_square_is_contained(double x, double y) => Assert.True(Square.Contains(x, y));

    [Theory]
    [InlineData(0.1, 0.5)]
    [InlineData(0.9, 0.5)]
    [InlineData(0.5, 0.1)]
    [InlineData(0.5, 0.81)]
    [InlineData(0.0, 0.0)]
    public void Point_outside_a_square_is_not_contained(double x, double y) => Assert.False(Square.Contains(x, y));

    [Theory]
    [InlineData(0.2, 0.5)] // left edge
    [InlineData(0.8, 0.5)] // right edge
    [InlineData(0.5, 0.2)] // top edge
    [InlineData(0.5, 0.8)] // bottom edge
    [InlineData(0.2, 0.2)] // corner
    [InlineData(0.8, 0.8)] // corner
    public void Point_on_the_boundary_counts_as_inside(double x, double y) => Assert.True(Square.Contains(x, y));

    [Fact]
    public void Point_on_a_slanted_edge_counts_as_inside()
    {
        var triangle = Polygon(0.0, 0.0, 1.0, 0.0, 0.0, 1.0);
        Assert.True(triangle.Contains(0.5, 0.5));
        Assert.False(triangle.Contains(0.51, 0.51));
    }

    [Fact]
    public void Notch_of_a_concave_polygon_is_outside()
    {
        // A U shape: two prongs going up from a base, the notch between them open at the top.
        var u = Polygon(0.1, 0.1, 0.3, 0.1, 0.3, 0.6, 0.7, 0.6, 0.7, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1, 0.9);
        Assert.False(u.Contains(0.5, 0.3));
        Assert.True(u.Contains(0.2, 0.3));
        Assert.True(u.Contains(0.8, 0.3));
        Assert.True(u.Contains(0.5, 0.75));
        Assert.True(u.Contains(0.5, 0.6)); // the notch's floor is an edge
    }

    [Fact]
    public void Ray_through_a_vertex_is_counted_once()
    {
        var diamond = Polygon(0.5, 0.1, 0.9, 0.5, 0.5, 0.9, 0.1, 0.5);
        Assert.True(diamond.Contains(0.3, 0.5));
        Assert.False(diamond.Contains(0.05, 0.5));
        Assert.False(diamond.Contains(0.95, 0.5));
    }

    [Fact]
    public void Bow_tie_is_rejected_as_self_crossing()
    {
        var problem = Problem(0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9);
        Assert.NotNull(problem);
        Assert.StartsWith("the polygon crosses itself: edges [0]-[1] and [2]-[3] intersect", problem, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Polygon(0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9));
    }

    [Fact]
    public void Polygon_touching_itself_at_a_corner_is_rejected()
    {
        // Two triangles joined at (0.5, 0.5): an edge passes through a non-adjacent corner.
        var problem = Problem(0.1, 0.1, 0.5, 0.5, 0.9, 0.1, 0.9, 0.9, 0.5, 0.5, 0.1, 0.9);
        Assert.NotNull(problem);
        Assert.Contains("crosses itself", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Edge_folding_back_on_its_neighbour_is_rejected()
    {
        var problem = Problem(0.1, 0.1, 0.9, 0.1, 0.5, 0.1, 0.5, 0.9);
        Assert.NotNull(problem);
        Assert.Contains("fold back", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void All_collinear_points_have_zero_area()
    {
        var problem = Problem(0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.3, 0.3);
        Assert.NotNull(problem);
        Assert.Contains("zero area", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Collinear_point_in_the_middle_of_an_edge_is_allowed()
    {
        var polygon = Polygon(0.2, 0.2, 0.5, 0.2, 0.8, 0.2, 0.8, 0.8, 0.2, 0.8);
        Assert.True(polygon.Contains(0.5, 0.5));
        Assert.True(polygon.Contains(0.35, 0.2));
    }

    [Fact]
    public void Fewer_than_three_points_are_rejected()
    {
        Assert.StartsWith("a polygon needs at least 3 points, got 2", Problem(0.1, 0.1, 0.9, 0.9), StringComparison.Ordinal);
    }

    [Fact]
    public void Point_outside_0_to_1_is_rejected_naming_it()
    {
        Assert.StartsWith("point [1] (1.2, 0.1) is outside the image", Problem(0.1, 0.1, 1.2, 0.1, 0.5, 0.9), StringComparison.Ordinal);
        Assert.NotNull(Problem(0.1, 0.1, double.NaN, 0.1, 0.5, 0.9));
    }

    [Fact]
    public void Repeated_closing_point_is_rejected_with_a_hint()
    {
        var problem = Problem(0.1, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1, 0.1);
        Assert.NotNull(problem);
        Assert.Contains("do not repeat the first point at the end", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Whole_frame_is_a_valid_zone()
    {
        var frame = Polygon(0, 0, 1, 0, 1, 1, 0, 1);
        Assert.True(frame.Contains(0, 0));
        Assert.True(frame.Contains(1, 1));
        Assert.True(frame.Contains(0.5, 0.5));
    }

    [Fact]
    public void Zone_keeps_its_own_copy_of_the_points()
    {
        var points = new List<NormalizedPoint> { new(0.1, 0.1), new(0.9, 0.1), new(0.5, 0.9) };
        var zone = new ZonePolygon(points);
        points[2] = new NormalizedPoint(0.5, 0.1);
        Assert.Equal(new NormalizedPoint(0.5, 0.9), zone.Points[2]);
    }
}
