namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// The current working picture compared, block by block, with the previous one and with the reference, by the structure
/// of their gradients. A block's similarity of two pictures a and b is
/// <c>(Σ ga·gb + Nν) / √((Σ|ga|² + Nν)(Σ|gb|² + Nν))</c> over its N pixels' gradient vectors g, where ν is the
/// regulariser from <see cref="TemporalNoise"/>: the cosine of the two gradient fields, to which both add the same
/// noise-sized constant. So a change of gain or offset (light) leaves it at 1, two flat looks are the same (1), texture
/// that appeared on flat ground or vanished from textured ground drops it towards 0, and noise alone keeps it high.
/// </summary>
internal sealed class BlockComparison
{
    private readonly BlockGrid _grid;
    private readonly float[] _pixels;
    private readonly float[] _current, _reference, _currentReference, _previous, _currentPrevious;

    public BlockComparison(BlockGrid grid)
    {
        _grid = grid;
        int n = grid.Count;
        _pixels = new float[n];
        _current = new float[n];
        _reference = new float[n];
        _currentReference = new float[n];
        _previous = new float[n];
        _currentPrevious = new float[n];
        ToReference = new float[n];
        ToPrevious = new float[n];
        for (int block = 0; block < n; block++)
        {
            var (x0, y0, x1, y1) = grid.WorkingRect(block);
            int width = x1 - x0, height = y1 - y0;
            // Gradient components inside the block, two to a pixel.
            _pixels[block] = Math.Max(1, ((width - 1) * height + width * (height - 1)) / 2f);
        }
    }

    /// <summary>Similarity of the current picture to the reference, per block, after <see cref="Score"/>.</summary>
    public float[] ToReference { get; }

    /// <summary>Similarity of the current picture to the previous one, per block, after <see cref="Score"/>.</summary>
    public float[] ToPrevious { get; }

    public long Bytes => 8L * _pixels.Length * sizeof(float);

    /// <summary>
    /// Sums the gradient products of every block (the expensive part: one pass over the three pictures). Gradients are
    /// forward differences between neighbours in the same block, never across a block's edge: each block's comparison
    /// depends on its own pixels only, so a block whose reference is held (a change is there) while its neighbours follow
    /// the light is not given a false edge along its border.
    /// </summary>
    public unsafe void Measure(LumaPlane current, LumaPlane previous, LumaPlane reference)
    {
        Array.Clear(_current);
        Array.Clear(_reference);
        Array.Clear(_currentReference);
        Array.Clear(_previous);
        Array.Clear(_currentPrevious);
        int width = _grid.Width, height = _grid.Height, cell = _grid.Cell, columns = _grid.Columns;
        fixed (float* c = current.Pixels, p = previous.Pixels, r = reference.Pixels)
        {
            for (int y = 0; y < height; y++)
            {
                int rowBlock = y / cell * columns;
                // The last row of a block (or of the picture) has no neighbour below in its block.
                bool down = y % cell != cell - 1 && y != height - 1;
                long here = (long)y * width, below = here + width;
                for (int column = 0; column < columns; column++)
                {
                    int x0 = column * cell, x1 = Math.Min(width, x0 + cell);
                    float cc = 0, rr = 0, cr = 0, pp = 0, cp = 0;
                    for (int x = x0; x < x1 - 1; x++)
                    {
                        float cx = c[here + x + 1] - c[here + x], rx = r[here + x + 1] - r[here + x], px = p[here + x + 1] - p[here + x];
                        cc += cx * cx;
                        rr += rx * rx;
                        cr += cx * rx;
                        pp += px * px;
                        cp += cx * px;
                    }
                    if (down)
                    {
                        for (int x = x0; x < x1; x++)
                        {
                            float cy = c[below + x] - c[here + x], ry = r[below + x] - r[here + x], py = p[below + x] - p[here + x];
                            cc += cy * cy;
                            rr += ry * ry;
                            cr += cy * ry;
                            pp += py * py;
                            cp += cy * py;
                        }
                    }
                    int block = rowBlock + column;
                    _current[block] += cc;
                    _reference[block] += rr;
                    _currentReference[block] += cr;
                    _previous[block] += pp;
                    _currentPrevious[block] += cp;
                }
            }
        }
    }

    /// <summary>Mean squared gradient difference per pixel between the current and previous pictures of a block (twice the gradient noise where nothing moved).</summary>
    public float FrameDifference(int block) =>
        Math.Max(0, _current[block] + _previous[block] - 2 * _currentPrevious[block]) / _pixels[block];

    /// <summary>Mean squared gradient per pixel of the reference in a block: its texture.</summary>
    public float ReferenceTexture(int block) => _reference[block] / _pixels[block];

    /// <summary>Fills <see cref="ToReference"/> and <see cref="ToPrevious"/> with regulariser <paramref name="noise"/> (ν, squared grey levels per pixel).</summary>
    public void Score(float noise)
    {
        for (int block = 0; block < _pixels.Length; block++)
        {
            float floor = noise * _pixels[block];
            ToReference[block] = Similarity(_currentReference[block], _current[block], _reference[block], floor);
            ToPrevious[block] = Similarity(_currentPrevious[block], _current[block], _previous[block], floor);
        }
    }

    /// <summary>The same similarity between two pictures for one block, measured on its own (for the few blocks that need a third picture).</summary>
    public float Compare(int block, LumaPlane a, LumaPlane b, float noise) => Compare(block, a, b, noise, 0, 0, half: false);

    /// <summary>
    /// The best similarity of a block of <paramref name="current"/> to <paramref name="reference"/> moved by half a working
    /// pixel or by one, in any of the eight directions: high when the block's change is only the picture having moved a little.
    /// </summary>
    public float BestShifted(int block, LumaPlane current, LumaPlane reference, float noise)
    {
        float best = -1;
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                if (dx == 0 && dy == 0) continue;
                best = Math.Max(best, Compare(block, current, reference, noise, dx, dy, half: true));
                best = Math.Max(best, Compare(block, current, reference, noise, dx, dy, half: false));
            }
        }
        return best;
    }

    /// <summary>
    /// Similarity of block <paramref name="block"/> of <paramref name="a"/> to the same block of <paramref name="b"/> moved
    /// by (dx, dy), or by half that (<paramref name="half"/>: b averaged with its moved self); -1 where that leaves the picture.
    /// </summary>
    private unsafe float Compare(int block, LumaPlane a, LumaPlane b, float noise, int dx, int dy, bool half)
    {
        var (x0, y0, x1, y1) = _grid.WorkingRect(block);
        int width = _grid.Width;
        if (x0 + dx < 0 || x1 + dx > width || y0 + dy < 0 || y1 + dy > _grid.Height) return -1;
        long offset = (long)dy * width + dx;
        float aa = 0, bb = 0, ab = 0;
        // b at the moved place, or halfway there: weights of b there and of b in place.
        float moved = half ? 0.5f : 1f, stay = 1 - moved;
        fixed (float* pa = a.Pixels, pb0 = b.Pixels)
        {
            float* pb = pb0 + offset;
            for (int y = y0; y < y1; y++)
            {
                long here = (long)y * width, below = here + width;
                for (int x = x0; x < x1; x++)
                {
                    if (x + 1 < x1)
                    {
                        float ax = pa[here + x + 1] - pa[here + x];
                        float bx = moved * (pb[here + x + 1] - pb[here + x]) + stay * (pb0[here + x + 1] - pb0[here + x]);
                        aa += ax * ax;
                        bb += bx * bx;
                        ab += ax * bx;
                    }
                    if (y + 1 < y1)
                    {
                        float ay = pa[below + x] - pa[here + x];
                        float by = moved * (pb[below + x] - pb[here + x]) + stay * (pb0[below + x] - pb0[here + x]);
                        aa += ay * ay;
                        bb += by * by;
                        ab += ay * by;
                    }
                }
            }
        }
        return Similarity(ab, aa, bb, noise * _pixels[block]);
    }

    private static float Similarity(float cross, float energyA, float energyB, float floor) =>
        (cross + floor) / MathF.Sqrt((energyA + floor) * (energyB + floor));
}
