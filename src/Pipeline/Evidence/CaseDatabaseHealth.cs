using Microsoft.Extensions.Logging;
using Vision.Storage;
using Vision.Pipeline.Upload;

namespace Vision.Pipeline.Evidence;

/// <summary>Whether the case database answered the loops that use it, and if not, since when and why: for /readyz, /api/status and metrics.</summary>
internal sealed record CaseDatabaseState(bool Ok, string? Problem, DateTimeOffset? Since, long Failures);

/// <summary>
/// What the loops that use the case database (case writes, the dispatch publisher and its figures, spool recovery, the
/// cluster's leases) learn of it. A loop that meets a database away says so here and retries with back-off; each
/// loop's first failure in an outage is logged once with what it does meanwhile, and the return once for all.
/// </summary>
internal sealed class CaseDatabaseHealth(TimeProvider clock, ILogger log)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _failingLoops = new(StringComparer.Ordinal);
    private string? _problem;
    private DateTimeOffset? _since;
    private long _failures;

    public CaseDatabaseState State
    {
        get { lock (_gate) return new CaseDatabaseState(_problem is null, _problem, _since, _failures); }
    }

    /// <summary>A loop met the database away. <paramref name="meanwhile"/> says what that loop does until it answers.</summary>
    public void Failed(string loop, Exception e, string meanwhile)
    {
        string reason = DatabaseFailure.Describe(e);
        bool first;
        lock (_gate)
        {
            _failures++;
            _problem = reason;
            _since ??= clock.GetUtcNow();
            first = _failingLoops.Add(loop);
        }
        if (first) log.LogWarning("{Loop}: the case database does not answer ({Reason}); {Meanwhile}", loop, reason, meanwhile);
    }

    /// <summary>A loop's statement went through: an outage, if any, is over.</summary>
    public void Answered()
    {
        DateTimeOffset? since;
        lock (_gate)
        {
            if (_problem is null) return;
            since = _since;
            _problem = null;
            _since = null;
            _failingLoops.Clear();
        }
        log.LogInformation("the case database answers again (it was away for {Seconds:0} s)", since is { } s ? (clock.GetUtcNow() - s).TotalSeconds : 0);
    }
}
