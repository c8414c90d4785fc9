using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>What the backlog holds and has had to give up, for /readyz, /api/status and metrics.</summary>
internal sealed record EvidenceBacklogSnapshot(int HeldCases, long HeldBytes, string? Problem, DateTimeOffset? Since, long Failures, long PhotosDropped, long CasesLost);

/// <summary>
/// Cases whose evidence could not be written because the evidence disk is full or unwritable. They are kept in
/// memory, oldest first, and retried until space returns. Memory is bounded: past <see cref="MaxHeldBytes"/> the
/// oldest held cases give up their frame snapshots (the case keeps its record and boxes, without photos), and past
/// <see cref="MaxHeldCases"/> the oldest case is given up, logged whole and counted.
/// </summary>
/// <param name="givenUp">Told of each case given up; null: nobody is told.</param>
internal sealed class EvidenceBacklog(TimeProvider clock, IGivenUpCases? givenUp = null, long maxHeldBytes = EvidenceBacklog.DefaultMaxHeldBytes,
    int maxHeldCases = EvidenceBacklog.DefaultMaxHeldCases)
{
    public const long DefaultMaxHeldBytes = 256L * 1024 * 1024;
    public const int DefaultMaxHeldCases = 10_000;

    private readonly object _gate = new();
    private readonly LinkedList<CaseProgress> _held = new();
    private long _heldBytes, _failures, _photosDropped, _lost;
    private string? _problem;
    private DateTimeOffset? _since;

    public long MaxHeldBytes => maxHeldBytes;

    public int MaxHeldCases => maxHeldCases;

    public int Count { get { lock (_gate) return _held.Count; } }

    /// <summary>Keeps a case that failed with <paramref name="error"/>; it is retried by <see cref="TakeAll"/>'s caller.</summary>
    public void Hold(CaseProgress held, string error)
    {
        CaseProgress? lost = null;
        lock (_gate)
        {
            held.Attempts++;
            held.LastError = error;
            if (held.Attempts == 1) held.HeldSince = clock.GetUtcNow();
            _failures++;
            _problem = error;
            _since ??= clock.GetUtcNow();
            // A written case's photos are on disk: its frame snapshots are no longer needed.
            if (held.Written is not null && held.SnapshotBytes() > 0)
                held.Violation = held.Violation with { Photos = held.Violation.Photos.Select(p => (p.Role, p.Snapshot with { Jpeg = [] })).ToList() };
            _held.AddLast(held);
            _heldBytes += held.SnapshotBytes();
            for (var node = _held.First; node is not null && _heldBytes > maxHeldBytes; node = node.Next)
            {
                long bytes = node.Value.SnapshotBytes();
                if (bytes == 0 || node.Value.Started is not null) continue; // written photos are on disk already
                var violation = node.Value.Violation;
                node.Value.Violation = violation with { Photos = violation.Photos.Select(p => (p.Role, p.Snapshot with { Jpeg = [] })).ToList() };
                _heldBytes -= bytes;
                _photosDropped++;
            }
            if (_held.Count > maxHeldCases)
            {
                lost = _held.First!.Value;
                _held.RemoveFirst();
                _heldBytes -= lost.SnapshotBytes();
                if (lost.Written is null) _lost++;
            }
        }
        if (lost is not null) givenUp?.GaveUp(lost);
    }

    /// <summary>
    /// Gives a case up (it failed too often for another reason than the disk, or the service stops), announced through
    /// <see cref="IGivenUpCases"/>. Counted as lost only when its files are not complete: a written case (its manifest in the
    /// spool) is left to spool recovery, which writes it to the case store.
    /// </summary>
    public void GiveUp(CaseProgress progress)
    {
        if (progress.Written is null) lock (_gate) _lost++;
        givenUp?.GaveUp(progress);
    }

    /// <summary>Whether a case of the camera is held: a later one of that camera waits behind it, so the camera's cases are written in order.</summary>
    public bool HoldsCamera(string cameraId)
    {
        lock (_gate)
        {
            foreach (var held in _held)
                if (held.Violation.Camera.Id == cameraId) return true;
            return false;
        }
    }

    /// <summary>Takes every held case, oldest first, for a retry; those that fail again come back through <see cref="Hold"/>.</summary>
    public IReadOnlyList<CaseProgress> TakeAll()
    {
        lock (_gate)
        {
            var all = _held.ToList();
            _held.Clear();
            _heldBytes = 0;
            return all;
        }
    }

    /// <summary>A retry round wrote everything it took: the problem is over.</summary>
    public void Cleared()
    {
        lock (_gate)
        {
            if (_held.Count > 0) return;
            _problem = null;
            _since = null;
        }
    }

    public EvidenceBacklogSnapshot Snapshot()
    {
        lock (_gate) return new EvidenceBacklogSnapshot(_held.Count, _heldBytes, _problem, _since, _failures, _photosDropped, _lost);
    }
}
