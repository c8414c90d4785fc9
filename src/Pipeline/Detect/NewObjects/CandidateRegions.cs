namespace Vision.Pipeline.Detect.NewObjects;

/// <summary>
/// Groups confirmed blocks into new objects: 8-connected regions of the block grid, each with its box, the time its
/// earliest block was first seen, and a score. A region keeps the id it had in the previous frame when it shares a block
/// with it, so a candidate is one thing from frame to frame; regions that merge keep the older id.
/// </summary>
internal sealed class CandidateRegions
{
    private readonly BlockGrid _grid;
    private readonly int[] _ids, _previousIds, _queue;
    private readonly bool[] _seen;
    private int _nextId = 1;

    public CandidateRegions(BlockGrid grid)
    {
        _grid = grid;
        _ids = new int[grid.Count];
        _previousIds = new int[grid.Count];
        _queue = new int[grid.Count];
        _seen = new bool[grid.Count];
    }

    public long Bytes => _ids.Length * (3L * sizeof(int) + sizeof(bool));

    /// <summary>Forgets the previous frame's regions (after the whole view changed); ids are not reused.</summary>
    public void Clear() => Array.Clear(_ids);

    /// <summary>Fills <paramref name="found"/> with this frame's regions of blocks for which <paramref name="member"/> is set.</summary>
    /// <param name="similarity">Each block's similarity to the reference this frame.</param>
    public void Find(ReadOnlySpan<bool> member, BlockEvidence evidence, ReadOnlySpan<float> similarity, DateTimeOffset now, List<NewObject> found)
    {
        found.Clear();
        _ids.AsSpan().CopyTo(_previousIds);
        Array.Clear(_ids);
        Array.Clear(_seen);
        int columns = _grid.Columns, rows = _grid.Rows;
        for (int start = 0; start < member.Length; start++)
        {
            if (!member[start] || _seen[start]) continue;
            int head = 0, tail = 0;
            _queue[tail++] = start;
            _seen[start] = true;
            int column0 = columns, row0 = rows, column1 = -1, row1 = -1, inherited = 0;
            long firstSeen = long.MaxValue;
            float unlike = 0;
            while (head < tail)
            {
                int block = _queue[head++];
                int column = block % columns, row = block / columns;
                column0 = Math.Min(column0, column);
                column1 = Math.Max(column1, column);
                row0 = Math.Min(row0, row);
                row1 = Math.Max(row1, row);
                long since = evidence.ChangedSince(block);
                if (since != 0) firstSeen = Math.Min(firstSeen, since);
                unlike += Math.Clamp(1 - similarity[block], 0, 1);
                int previous = _previousIds[block];
                if (previous != 0 && (inherited == 0 || previous < inherited)) inherited = previous;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int r = row + dy;
                    if (r < 0 || r >= rows) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int c = column + dx;
                        if (c < 0 || c >= columns) continue;
                        int next = r * columns + c;
                        if (!member[next] || _seen[next]) continue;
                        _seen[next] = true;
                        _queue[tail++] = next;
                    }
                }
            }
            if (inherited != 0 && Taken(found, inherited)) inherited = 0;
            int id = inherited != 0 ? inherited : _nextId++;
            for (int i = 0; i < tail; i++) _ids[_queue[i]] = id;
            var since0 = firstSeen == long.MaxValue ? now : new DateTimeOffset(firstSeen, TimeSpan.Zero);
            found.Add(new NewObject(id, _grid.Box(column0, row0, column1, row1), since0, now - since0, unlike / tail));
        }
    }

    private static bool Taken(List<NewObject> found, int id)
    {
        foreach (var candidate in found)
            if (candidate.Id == id) return true;
        return false;
    }
}
