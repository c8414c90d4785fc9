using Vision.Models;
using Vision.Rules.Config;
using Vision.Pipeline.Tracking;

namespace Vision.Pipeline.Detect;

/// <summary>
/// Where one camera's tiles lie on its analysis frame (pixels): a grid over the padded bounding box of its zones, or over
/// the whole frame, neighbours sharing the configured overlap. Computed once per camera config and frame size.
/// </summary>
internal sealed class TileLayout
{
    private TileLayout(TilesConfig config, int frameWidth, int frameHeight, BoundingBox[] tiles)
    {
        Config = config;
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        Tiles = tiles;
    }

    public TilesConfig Config { get; }
    public int FrameWidth { get; }
    public int FrameHeight { get; }

    /// <summary>Tiles in frame pixels, whole numbers, row by row; never empty.</summary>
    public IReadOnlyList<BoundingBox> Tiles { get; }

    public static TileLayout For(CameraConfig camera, TilesConfig tiles, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(tiles);
        var (left, top, right, bottom) = tiles.Area == TileArea.Zones && camera.Zones.Count > 0 ? ZonesArea(camera) : (0d, 0d, 1d, 1d);
        double x0 = left * frameWidth, y0 = top * frameHeight;
        double areaWidth = (right - left) * frameWidth, areaHeight = (bottom - top) * frameHeight;

        // n tiles of size s overlapping by o*s span n*s - (n-1)*o*s.
        double tileWidth = areaWidth / (tiles.Columns - (tiles.Columns - 1) * tiles.Overlap);
        double tileHeight = areaHeight / (tiles.Rows - (tiles.Rows - 1) * tiles.Overlap);
        var result = new BoundingBox[tiles.Count];
        for (int row = 0; row < tiles.Rows; row++)
        {
            for (int column = 0; column < tiles.Columns; column++)
            {
                double x = x0 + column * tileWidth * (1 - tiles.Overlap);
                double y = y0 + row * tileHeight * (1 - tiles.Overlap);
                int ix = Math.Clamp((int)Math.Round(x), 0, frameWidth - 1);
                int iy = Math.Clamp((int)Math.Round(y), 0, frameHeight - 1);
                int ir = Math.Clamp((int)Math.Round(x + tileWidth), ix + 1, frameWidth);
                int ib = Math.Clamp((int)Math.Round(y + tileHeight), iy + 1, frameHeight);
                result[row * tiles.Columns + column] = new BoundingBox(ix, iy, ir - ix, ib - iy);
            }
        }
        return new TileLayout(tiles, frameWidth, frameHeight, result);
    }

    /// <summary>The zones' bounding box grown by <see cref="TilesConfig.ZonePadding"/> of the frame on every side, within the frame (fractions).</summary>
    private static (double Left, double Top, double Right, double Bottom) ZonesArea(CameraConfig camera)
    {
        double left = 1, top = 1, right = 0, bottom = 0;
        foreach (var zone in camera.Zones)
        {
            foreach (var p in zone.Polygon.Points)
            {
                left = Math.Min(left, p.X);
                top = Math.Min(top, p.Y);
                right = Math.Max(right, p.X);
                bottom = Math.Max(bottom, p.Y);
            }
        }
        const double pad = TilesConfig.ZonePadding;
        return (Math.Max(0, left - pad), Math.Max(0, top - pad), Math.Min(1, right + pad), Math.Min(1, bottom + pad));
    }
}
