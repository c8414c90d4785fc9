using OpenCvSharp;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// Tells a change of the whole view (camera knocked, PTZ preset drifted, day/night switch) from objects in it. Counted
/// over the blocks that can tell (learned, unoccluded, with texture in the reference): when at least
/// <see cref="NewObjectOptions.GlobalChangeFraction"/> of them changed and are still, the view changed. Still matters: a
/// bus passing close to the lens changes as much, but moves. When a third of that share changed, the picture is checked
/// for a shift (phase correlation at half the working size, only then: it costs a millisecond or two) so a small pan
/// that disturbs only the finest texture is caught too. A shift of at least one working pixel means the camera moved.
/// </summary>
internal sealed class WholeViewChange : IDisposable
{
    /// <summary>The least share of the grid's blocks that must be able to tell before the test is made.</summary>
    private const float MinTellingShare = 0.1f;

    /// <summary>Phase-correlation peak response below which a shift is not trusted.</summary>
    private const double MinShiftResponse = 0.05;

    private readonly NewObjectOptions _options;
    private readonly Size _size;
    private readonly Mat _window;
    // Half-size copies: OpenCV's phaseCorrelate windows its inputs in place when their size needs no padding.
    private readonly Mat _before, _after;

    public WholeViewChange(NewObjectOptions options, int width, int height)
    {
        _options = options;
        _size = new Size(Math.Max(1, width / 2), Math.Max(1, height / 2));
        _before = new Mat(_size, MatType.CV_32FC1, Scalar.All(0));
        _after = new Mat(_size, MatType.CV_32FC1, Scalar.All(0));
        _window = new Mat();
        Cv2.CreateHanningWindow(_window, _size, MatType.CV_32F);
    }

    /// <summary>The change of the whole view this frame shows, or null.</summary>
    /// <param name="telling">How many blocks can tell (learned, unoccluded, textured reference).</param>
    /// <param name="changedStill">How many of those changed and are still.</param>
    public GlobalChange? Test(int telling, int changedStill, int blocks, LumaPlane reference, LumaPlane current, int downscale, DateTimeOffset now)
    {
        if (telling < MinTellingShare * blocks || telling == 0) return null;
        float fraction = (float)changedStill / telling;
        if (fraction < _options.GlobalChangeFraction / 3) return null;
        var (shiftX, shiftY, moved) = Shift(reference, current);
        if (moved) return new GlobalChange(now, GlobalChangeKind.CameraMoved, fraction, shiftX * downscale, shiftY * downscale);
        return fraction >= _options.GlobalChangeFraction ? new GlobalChange(now, GlobalChangeKind.SceneChanged, fraction, 0, 0) : null;
    }

    private (float X, float Y, bool Moved) Shift(LumaPlane reference, LumaPlane current)
    {
        using (var before = reference.View()) Cv2.Resize(before, _before, _size, 0, 0, InterpolationFlags.Area);
        using (var after = current.View()) Cv2.Resize(after, _after, _size, 0, 0, InterpolationFlags.Area);
        var shift = Cv2.PhaseCorrelate(_before, _after, _window, out double response);
        // Back to working pixels.
        float x = (float)(2 * shift.X), y = (float)(2 * shift.Y);
        bool moved = response >= MinShiftResponse && MathF.Sqrt(x * x + y * y) >= 1;
        return (x, y, moved);
    }

    /// <summary>The phase correlation's window and copies, made at the start so memory does not grow when the first change comes.</summary>
    public long Bytes => 3L * _size.Width * _size.Height * sizeof(float);

    public void Dispose()
    {
        _window.Dispose();
        _before.Dispose();
        _after.Dispose();
    }
}
