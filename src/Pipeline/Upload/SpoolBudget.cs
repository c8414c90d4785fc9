using System.Globalization;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Upload;

/// <summary>
/// Bytes of evidence waiting in the spool for the store, against <c>evidence.spool_max_bytes</c>. Near the limit
/// (80 %) it warns once; at the limit new cases are written without their clip (photos and the case are kept), so an
/// outage of the store can fill neither the disk nor memory.
/// </summary>
internal sealed class SpoolBudget(long limitBytes, ILogger log) : IClipBudget
{
    private const double WarnAt = 0.8, RearmBelow = 0.7;
    private readonly Lock _gate = new();
    private long _bytes;
    private int _cases;
    private bool _warned;

    public long LimitBytes => limitBytes;

    public long Bytes { get { lock (_gate) return _bytes; } }

    public int Cases { get { lock (_gate) return _cases; } }

    public bool NearLimit { get { lock (_gate) return _bytes >= limitBytes * WarnAt; } }

    public void Reset(int cases, long bytes)
    {
        lock (_gate) (_cases, _bytes) = (cases, bytes);
        CheckWarning();
    }

    public void Added(long bytes)
    {
        lock (_gate) { _bytes += bytes; _cases++; }
        CheckWarning();
    }

    public void Removed(long bytes)
    {
        lock (_gate) { _bytes = Math.Max(0, _bytes - bytes); _cases = Math.Max(0, _cases - 1); }
        CheckWarning();
    }

    /// <summary>Why a new case may not add a clip now; null while there is room.</summary>
    public string? ClipRefusal()
    {
        long bytes = Bytes;
        return bytes < limitBytes ? null
            : $"the evidence spool is full ({Mib(bytes)} of {Mib(limitBytes)} waiting for the store): the case keeps its photos; clips resume once uploads catch up";
    }

    private void CheckWarning()
    {
        long bytes;
        bool warn = false;
        lock (_gate)
        {
            bytes = _bytes;
            if (!_warned && bytes >= limitBytes * WarnAt) _warned = warn = true;
            else if (_warned && bytes < limitBytes * RearmBelow) _warned = false;
        }
        if (warn)
            log.LogWarning("evidence spool at {Used} of its {Limit} limit: the store is not keeping up or is down; at the limit new cases keep photos only (raise evidence.spool_max_bytes or fix the store)",
                Mib(bytes), Mib(limitBytes));
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB");
}
