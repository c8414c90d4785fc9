using System.Runtime.InteropServices;

namespace Vision.Models;

/// <summary>
/// Class-aware greedy non-maximum suppression: candidates sorted by score (ties by candidate index), a box is dropped when its IoU
/// with a kept box of the same class is above the threshold. Reuses its buffers; not thread-safe.
/// </summary>
public sealed class NonMaxSuppression
{
    private int[] _order = [];
    private float[] _scores = [];
    private Comparison<int> _byScoreThenIndex = static (x, y) => x.CompareTo(y);
    private bool[] _suppressed = [];

    /// <summary>Appends the surviving <paramref name="candidates"/> to <paramref name="kept"/>, best score first.</summary>
    public void Apply(List<Detection> candidates, float iouThreshold, List<Detection> kept)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(kept);
        int count = candidates.Count;
        if (count == 0) return;
        if (_order.Length < count)
        {
            int size = Math.Max(count, _order.Length * 2);
            _order = new int[size];
            _scores = new float[size];
            var scores = _scores;
            // Created once per buffer size: a comparer struct passed to Sort is boxed on every call.
            _byScoreThenIndex = (x, y) =>
            {
                int byScore = scores[y].CompareTo(scores[x]);
                return byScore != 0 ? byScore : x.CompareTo(y);
            };
            _suppressed = new bool[size];
        }
        var items = CollectionsMarshal.AsSpan(candidates);
        var order = _order.AsSpan(0, count);
        var suppressed = _suppressed.AsSpan(0, count);
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
            _scores[i] = items[i].Score;
        }
        suppressed.Clear();
        order.Sort(_byScoreThenIndex);

        for (int a = 0; a < count; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            ref readonly var best = ref items[i];
            kept.Add(best);
            for (int b = a + 1; b < count; b++)
            {
                int j = order[b];
                if (suppressed[j] || items[j].ClassId != best.ClassId) continue;
                if (best.Box.IoU(items[j].Box) > iouThreshold) suppressed[j] = true;
            }
        }
    }
}
