using Vision.Models;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// The block layout of one camera's analysis frame: the working plane (the frame averaged down by
/// <see cref="NewObjectOptions.Downscale"/>) cut into square blocks, row by row; the last row and column may be partial.
/// Converts between blocks and analysis-frame pixels.
/// </summary>
internal sealed class BlockGrid
{
    public BlockGrid(int frameWidth, int frameHeight, int blockSize, int downscale)
    {
        if (blockSize % downscale != 0) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "must be a multiple of the downscale");
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        Downscale = downscale;
        Cell = blockSize / downscale;
        Width = frameWidth / downscale;
        Height = frameHeight / downscale;
        if (Width < 3 * Cell || Height < 3 * Cell)
            throw new ArgumentOutOfRangeException(nameof(frameWidth), $"{frameWidth}x{frameHeight}", $"a frame must be at least three blocks ({blockSize} px) each way");
        Columns = (Width + Cell - 1) / Cell;
        Rows = (Height + Cell - 1) / Cell;
    }

    public int FrameWidth { get; }
    public int FrameHeight { get; }
    public int Downscale { get; }

    /// <summary>Block side in working pixels.</summary>
    public int Cell { get; }

    /// <summary>Working plane size in pixels.</summary>
    public int Width { get; }
    public int Height { get; }

    public int Columns { get; }
    public int Rows { get; }
    public int Count => Columns * Rows;

    /// <summary>The working-plane pixels of a block: [x0, x1) x [y0, y1).</summary>
    public (int X0, int Y0, int X1, int Y1) WorkingRect(int block)
    {
        int column = block % Columns, row = block / Columns;
        int x0 = column * Cell, y0 = row * Cell;
        return (x0, y0, Math.Min(Width, x0 + Cell), Math.Min(Height, y0 + Cell));
    }

    /// <summary>The analysis-frame pixels of a block: [x0, x1) x [y0, y1); the last row and column reach the frame's edge.</summary>
    public (int X0, int Y0, int X1, int Y1) FrameRect(int block)
    {
        int column = block % Columns, row = block / Columns;
        int side = Cell * Downscale;
        int x1 = column == Columns - 1 ? FrameWidth : (column + 1) * side;
        int y1 = row == Rows - 1 ? FrameHeight : (row + 1) * side;
        return (column * side, row * side, x1, y1);
    }

    /// <summary>The box, in analysis pixels, spanning blocks from (column0, row0) to (column1, row1) inclusive.</summary>
    public BoundingBox Box(int column0, int row0, int column1, int row1)
    {
        var (x0, y0, _, _) = FrameRect(row0 * Columns + column0);
        var (_, _, x1, y1) = FrameRect(row1 * Columns + column1);
        return new BoundingBox(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>Sets <paramref name="covered"/> for every block of which <paramref name="box"/> (analysis pixels) covers at least <paramref name="minFraction"/>.</summary>
    public void MarkCovered(in BoundingBox box, float minFraction, Span<bool> covered)
    {
        float left = Math.Max(0, box.X), top = Math.Max(0, box.Y);
        float right = Math.Min(FrameWidth, box.Right), bottom = Math.Min(FrameHeight, box.Bottom);
        if (right <= left || bottom <= top) return;
        int side = Cell * Downscale;
        int column0 = Math.Min(Columns - 1, (int)(left / side)), column1 = Math.Min(Columns - 1, (int)((right - 1e-3f) / side));
        int row0 = Math.Min(Rows - 1, (int)(top / side)), row1 = Math.Min(Rows - 1, (int)((bottom - 1e-3f) / side));
        for (int row = row0; row <= row1; row++)
        {
            for (int column = column0; column <= column1; column++)
            {
                int block = row * Columns + column;
                var (x0, y0, x1, y1) = FrameRect(block);
                float overlap = (Math.Min(right, x1) - Math.Max(left, x0)) * (Math.Min(bottom, y1) - Math.Max(top, y0));
                if (overlap >= minFraction * (x1 - x0) * (y1 - y0)) covered[block] = true;
            }
        }
    }
}
