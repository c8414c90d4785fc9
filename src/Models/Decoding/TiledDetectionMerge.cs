using System.Runtime.InteropServices;

namespace Vision.Models;

/// <summary>
/// Merges the detections of a whole frame and of its tiles into one detection per object, in frame pixels: first a box
/// cut by a tile's inner border is dropped when a box of its class at least as large holds most of it (intersection over
/// the cut box's area: the piece of a large near object that one tile saw), so a surer piece cannot outscore the whole;
/// then class-aware NMS over the rest (an object seen whole and in a tile, or in two overlapping tiles). Reuses its
/// buffers; not thread-safe.
/// </summary>
public sealed class TiledDetectionMerge
{
    /// <summary>A cut box this much inside a larger box of its class is a piece of that object.</summary>
    public const float ContainedShare = 0.6f;

    /// <summary>A box edge this close (tile pixels) to a tile border that is not the frame's border was cut by the tile.</summary>
    public const float CutMargin = 2f;

    private readonly NonMaxSuppression _nms = new();
    private readonly List<Detection> _candidates = new(256);
    private readonly List<bool> _cut = new(256);
    private readonly List<Detection> _whole = new(256);

    /// <summary>Forgets the previous frame's detections.</summary>
    public void Clear()
    {
        _candidates.Clear();
        _cut.Clear();
    }

    /// <summary>Adds the detections of the whole frame.</summary>
    public void AddFrame(List<Detection> detections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        foreach (ref readonly var d in CollectionsMarshal.AsSpan(detections))
        {
            _candidates.Add(d);
            _cut.Add(false);
        }
    }

    /// <summary>Adds the detections of one tile (in the tile's pixels), mapping them into the frame's.</summary>
    public void AddTile(List<Detection> detections, in BoundingBox tile, int frameWidth, int frameHeight)
    {
        ArgumentNullException.ThrowIfNull(detections);
        bool innerLeft = tile.X > 0, innerTop = tile.Y > 0, innerRight = tile.Right < frameWidth, innerBottom = tile.Bottom < frameHeight;
        foreach (ref readonly var d in CollectionsMarshal.AsSpan(detections))
        {
            var b = d.Box;
            _candidates.Add(d with { Box = new BoundingBox(b.X + tile.X, b.Y + tile.Y, b.Width, b.Height) });
            _cut.Add((innerLeft && b.X <= CutMargin) || (innerTop && b.Y <= CutMargin)
                || (innerRight && b.Right >= tile.Width - CutMargin) || (innerBottom && b.Bottom >= tile.Height - CutMargin));
        }
    }

    /// <summary>Replaces <paramref name="result"/>'s contents with the merged detections, best score first.</summary>
    public void MergeInto(List<Detection> result, float nmsIou)
    {
        ArgumentNullException.ThrowIfNull(result);
        _whole.Clear();
        var candidates = CollectionsMarshal.AsSpan(_candidates);
        var cut = CollectionsMarshal.AsSpan(_cut);
        for (int i = 0; i < candidates.Length; i++)
            if (!cut[i] || !IsPieceOfAnother(candidates, i)) _whole.Add(candidates[i]);
        result.Clear();
        _nms.Apply(_whole, nmsIou, result);
    }

    private static bool IsPieceOfAnother(ReadOnlySpan<Detection> candidates, int index)
    {
        var piece = candidates[index].Box;
        float area = piece.Area;
        if (area <= 0) return false;
        for (int j = 0; j < candidates.Length; j++)
        {
            if (j == index || candidates[j].ClassId != candidates[index].ClassId) continue;
            var other = candidates[j].Box;
            // Of two pieces the same size, the better scored one stays.
            if (other.Area < area || (other.Area == area && !Outranks(candidates[j], j, candidates[index], index))) continue;
            float ix = MathF.Max(0f, MathF.Min(piece.Right, other.Right) - MathF.Max(piece.X, other.X));
            float iy = MathF.Max(0f, MathF.Min(piece.Bottom, other.Bottom) - MathF.Max(piece.Y, other.Y));
            if (ix * iy >= ContainedShare * area) return true;
        }
        return false;
    }

    private static bool Outranks(in Detection a, int aIndex, in Detection b, int bIndex) =>
        a.Score > b.Score || (a.Score == b.Score && aIndex < bIndex);
}
