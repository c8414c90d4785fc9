using OpenCvSharp;

namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// The camera's learned empty scene: the grey working reference the comparison uses, the look each block had before a
/// change was absorbed into it (to recognise the old scene coming back), and a colour picture of the scene at analysis
/// size, each block copied from the last frame in which it was seen clean (the 基准图 that evidence shows beside a candidate).
/// </summary>
internal sealed class ReferenceScene : IDisposable
{
    private readonly BlockGrid _grid;
    private readonly LumaPlane _beforeAbsorb;
    private readonly Mat _picture;

    public ReferenceScene(BlockGrid grid)
    {
        _grid = grid;
        Luma = new LumaPlane(grid.Width, grid.Height);
        _beforeAbsorb = new LumaPlane(grid.Width, grid.Height);
        _picture = new Mat(grid.FrameHeight, grid.FrameWidth, MatType.CV_8UC3, Scalar.All(0));
    }

    /// <summary>The grey reference the blocks are compared with.</summary>
    public LumaPlane Luma { get; }

    /// <summary>Each block's reference from before its last absorption.</summary>
    public LumaPlane BeforeAbsorb => _beforeAbsorb;

    public long Bytes => Luma.Bytes + _beforeAbsorb.Bytes + (long)_grid.FrameWidth * _grid.FrameHeight * 3;

    /// <summary>Takes the whole of the current look as the reference (first frame, and after the whole view changed).</summary>
    public void Reset(LumaPlane current, Mat frame)
    {
        current.CopyTo(Luma);
        current.CopyTo(_beforeAbsorb);
        frame.CopyTo(_picture);
    }

    /// <summary>Moves a block's reference towards the current look by <paramref name="weight"/> and copies its colour pixels.</summary>
    public void Follow(int block, LumaPlane current, Mat frame, float weight)
    {
        Luma.BlendRect(current, _grid.WorkingRect(block), weight);
        CopyPicture(block, frame);
    }

    /// <summary>Replaces a block's reference with the current look.</summary>
    public void Replace(int block, LumaPlane current, Mat frame)
    {
        Luma.CopyRect(current, _grid.WorkingRect(block));
        CopyPicture(block, frame);
    }

    /// <summary>Makes a change that stayed part of the scene, keeping the block's old look for <see cref="BeforeAbsorb"/>.</summary>
    public void Absorb(int block, LumaPlane current, Mat frame)
    {
        _beforeAbsorb.CopyRect(Luma, _grid.WorkingRect(block));
        Replace(block, current, frame);
    }

    /// <summary>Copies the colour reference picture (analysis size, BGR) into <paramref name="destination"/>.</summary>
    public void CopyPictureTo(Mat destination) => _picture.CopyTo(destination);

    private unsafe void CopyPicture(int block, Mat frame)
    {
        var (x0, y0, x1, y1) = _grid.FrameRect(block);
        byte* source = (byte*)frame.Data, target = (byte*)_picture.Data;
        long sourceStep = frame.Step(), targetStep = _picture.Step();
        int bytes = 3 * (x1 - x0);
        for (int y = y0; y < y1; y++)
            Buffer.MemoryCopy(source + y * sourceStep + 3L * x0, target + y * targetStep + 3L * x0, bytes, bytes);
    }

    public void Dispose() => _picture.Dispose();
}
