namespace Vision.Rules.Evaluation;

/// <summary>
/// Decides whether an object has stayed put, with a tolerance relative to its own size so the same
/// setting works for a near truck and a far bottle. The reference point moves only when the object
/// leaves the tolerance circle; detector jitter inside it does not restart the clock.
/// </summary>
internal struct StationaryTest
{
    private const double Smoothing = 0.5;
    private double _x, _y, _refX, _refY;
    private bool _initialised;

    public DateTimeOffset Since { get; private set; }

    /// <summary>Feeds the anchor position (pixels) and object size; returns true when the object moved and the clock restarted.</summary>
    public bool Update(double x, double y, double objectSize, double maxMotion, DateTimeOffset now)
    {
        if (!_initialised)
        {
            _x = _refX = x;
            _y = _refY = y;
            Since = now;
            _initialised = true;
            return true;
        }

        _x += (x - _x) * Smoothing;
        _y += (y - _y) * Smoothing;
        double dx = _x - _refX, dy = _y - _refY;
        double limit = maxMotion * objectSize;
        if (dx * dx + dy * dy <= limit * limit) return false;

        _refX = _x = x;
        _refY = _y = y;
        Since = now;
        return true;
    }
}
