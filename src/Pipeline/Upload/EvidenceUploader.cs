using Microsoft.Extensions.Logging;
using Vision.Pipeline.Retry;
using Vision.Storage;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Upload;

/// <summary>
/// Moves spooled cases into the evidence store in the background, oldest first, a bounded number at a time. The
/// catalog is the queue: it survives restarts, and memory holds only the few cases being uploaded. On a retry (after
/// a failure, or a crash mid-upload) each object is skipped when the store already has it with the same size and
/// SHA-256, so nothing that already arrived is uploaded twice, and keys are fixed per case, so nothing is duplicated. The manifest goes last:
/// a case is stored (and may be released to dispatch) only once its manifest is in the store. While the store fails,
/// every upload pauses with exponential backoff; detection is not affected.
/// </summary>
internal sealed class EvidenceUploader
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
    private const int RefillSize = 64;

    private readonly IEvidenceStore _store;
    private readonly EvidenceCatalog _catalog;
    private readonly string _spool;
    private readonly int _concurrency;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ExponentialBackoff _backoff;
    private readonly CaseObservers _observers;
    private readonly RunningConfig? _runningConfig;
    private readonly Lock _gate = new();
    private readonly Queue<SpooledCase> _claimable = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refill = new(1, 1);
    private readonly SemaphoreSlim _checking = new(1, 1);
    private TaskCompletionSource _workArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _pausedUntil;
    private StoreHealth _health;
    private long _objectsPut, _objectsSkipped, _bytesPut, _casesStored, _failures;

    /// <param name="runningConfig">
    /// The running config (it changes on reload): decides, as a case's evidence becomes stored, whether that releases it to
    /// the dispatch core; null: never.
    /// </param>
    public EvidenceUploader(IEvidenceStore store, EvidenceCatalog catalog, string spoolDirectory, int concurrency, TimeProvider clock, ILogger log, ExponentialBackoff? backoff = null,
        CaseObservers? observers = null, RunningConfig? runningConfig = null)
    {
        _observers = observers ?? CaseObservers.None;
        _runningConfig = runningConfig;
        _store = store;
        _catalog = catalog;
        _spool = spoolDirectory;
        _concurrency = concurrency;
        _clock = clock;
        _log = log;
        _backoff = backoff ?? new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), Random.Shared);
        _health = StoreHealth.Unknown(clock.GetUtcNow());
    }

    /// <summary>The spool's accounting, told of each case that left the spool for the store; null: none kept.</summary>
    public SpoolBudget? Budget { get; init; }

    public StoreHealth Health { get { lock (_gate) return _health; } }

    /// <summary>Told when the catalog cannot be read (the case database is away); null: such failures are logged.</summary>
    public CaseDatabaseHealth? Database { get; init; }

    public long ObjectsPut => Interlocked.Read(ref _objectsPut);

    /// <summary>Objects found already in the store (an earlier try got them there) and not sent again.</summary>
    public long ObjectsSkipped => Interlocked.Read(ref _objectsSkipped);

    public long BytesPut => Interlocked.Read(ref _bytesPut);

    public long CasesStored => Interlocked.Read(ref _casesStored);

    /// <summary>Case uploads that failed and will be retried.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>A case was spooled: wake idle workers now rather than at the next poll.</summary>
    public void Wake() => Interlocked.Exchange(ref _workArrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Uploads until <paramref name="ct"/> is cancelled; an upload cut off by the stop resumes at the next start.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(Enumerable.Range(0, _concurrency).Select(_ => Task.Run(() => WorkAsync(ct), CancellationToken.None)));


    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await WaitOutPauseAsync(ct).ConfigureAwait(false);
                if (!await EnsureStoreAsync(ct).ConfigureAwait(false)) continue;
                var arrived = Volatile.Read(ref _workArrived).Task;
                var next = await ClaimAsync(ct).ConfigureAwait(false);
                if (next is null)
                {
                    await Task.WhenAny(arrived, Task.Delay(PollInterval, _clock, ct)).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    await UploadAsync(next, ct).ConfigureAwait(false);
                }
                finally
                {
                    lock (_gate) _inFlight.Remove(next.CaseId);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The catalog itself failed (the database away, a disk): keep the worker, try again after a pause.
                if (Storage.DatabaseFailure.IsUnavailable(e) && Database is { } database)
                    database.Failed("evidence upload", e, $"uploads pause and are tried again every {PollInterval.TotalSeconds:0} s");
                else
                    _log.LogError(e, "evidence uploader: unexpected failure; retrying");
                await Task.Delay(PollInterval, _clock, ct).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Before the first upload and after every failure: the store's full check (reachable, credentials, bucket created
    /// when missing, writable), run by one worker while the others wait. A store that was down at start-up, or whose
    /// bucket was removed, is set up again here.
    /// </summary>
    private async Task<bool> EnsureStoreAsync(CancellationToken ct)
    {
        if (Health.Ok) return true;
        await _checking.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Health.Ok) return true;
            await _store.CheckAsync(ct).ConfigureAwait(false);
            Succeeded();
            return true;
        }
        catch (EvidenceStoreException e) when (!ct.IsCancellationRequested)
        {
            Failed(e);
            return false;
        }
        finally
        {
            _checking.Release();
        }
    }

    private async Task<SpooledCase?> ClaimAsync(CancellationToken ct)
    {
        lock (_gate)
            if (TryDequeue(out var ready)) return ready;
        await _refill.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_gate)
                if (TryDequeue(out var ready)) return ready;
            HashSet<string> exclude;
            lock (_gate) exclude = [.. _inFlight];
            var pending = await _catalog.PendingAsync(RefillSize, exclude, ct).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var c in pending) _claimable.Enqueue(c);
                return TryDequeue(out var claimed) ? claimed : null;
            }
        }
        finally
        {
            _refill.Release();
        }
    }

    private bool TryDequeue(out SpooledCase claimed)
    {
        while (_claimable.TryDequeue(out claimed!))
            if (_inFlight.Add(claimed.CaseId)) return true;
        return false;
    }

    /// <summary>Whether a case whose evidence is now stored is released to the dispatch core: its rule's policy in the running config.</summary>
    private ReleasePolicy ReleasePolicyOf(SpooledCase c) =>
        _runningConfig is null ? ReleasePolicy.Never : ReviewConsole.CaseRelease.PolicyOf(_runningConfig.Current, c.CameraId, c.RuleId);

    private async Task UploadAsync(SpooledCase c, CancellationToken ct)
    {
        string folder = Path.Combine(_spool, c.CaseId);
        try
        {
            // Only a retry can find its objects already in the store (keys are unique per case): the first try puts
            // straight away and saves a round trip per object.
            bool retry = await _catalog.StartAttemptAsync(c.CaseId, ct).ConfigureAwait(false) > 0;
            foreach (var item in c.Objects)
            {
                if (retry && await _store.StatAsync(item.Key, ct).ConfigureAwait(false) is { } existing && existing.Size == item.Size && existing.Sha256 == item.Sha256)
                {
                    Interlocked.Increment(ref _objectsSkipped);
                    continue;
                }
                string path = Path.Combine(folder, item.Name);
                if (!File.Exists(path))
                    throw new SpoolDamagedException($"{c.CaseId}/{item.Name} is missing from the spool {_spool} and not in the store");
                await _store.PutAsync(new EvidenceObject(item.Key, path, item.ContentType, item.Sha256, Metadata(c, item)), ct).ConfigureAwait(false);
                Interlocked.Increment(ref _objectsPut);
                Interlocked.Add(ref _bytesPut, item.Size);
            }
            var storedAt = _clock.GetUtcNow();
            await _catalog.MarkStoredAsync(c.CaseId, storedAt, ReleasePolicyOf(c), CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _casesStored);
            Succeeded();
            RemoveSpoolCopy(folder);
            Budget?.Removed(c.Bytes);
            _observers.Stored(c, storedAt);
        }
        catch (EvidenceStoreException e) when (!ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            await _catalog.RecordFailureAsync(c.CaseId, e.Message, CancellationToken.None).ConfigureAwait(false);
            Failed(e);
        }
        catch (SpoolDamagedException e)
        {
            await _catalog.MarkBrokenAsync(c.CaseId, e.Message, CancellationToken.None).ConfigureAwait(false);
            _log.LogError("case {CaseId}: cannot upload its evidence: {Reason}; it stays in the spool, marked broken", c.CaseId, e.Message);
        }
    }

    /// <summary>Object metadata: enough to tell from the object alone which case, camera and rule it belongs to.</summary>
    private static Dictionary<string, string> Metadata(SpooledCase c, SpooledObject item) => new(StringComparer.Ordinal)
    {
        ["case-id"] = c.CaseId,
        ["camera-id"] = c.CameraId,
        ["rule-id"] = c.RuleId,
        ["violation"] = c.Violation,
        ["role"] = item.Role,
    };

    private void RemoveSpoolCopy(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("could not remove the uploaded spool folder {Folder} ({Reason}); it is removed at the next start", folder, e.Message);
        }
    }

    private async Task WaitOutPauseAsync(CancellationToken ct)
    {
        DateTimeOffset until;
        lock (_gate) until = _pausedUntil;
        var wait = until - _clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock, ct).ConfigureAwait(false);
    }

    private void Succeeded()
    {
        bool recovered;
        lock (_gate)
        {
            recovered = !_health.Ok;
            if (recovered) _health = new StoreHealth(true, null, _clock.GetUtcNow());
            _backoff.Reset();
            _pausedUntil = default;
        }
        if (recovered) _log.LogInformation("evidence store {Store} is ready; uploading spooled evidence", _store.Description);
    }

    private void Failed(EvidenceStoreException e)
    {
        bool changed;
        TimeSpan delay;
        lock (_gate)
        {
            changed = _health.Ok || _health.Problem != e.Message;
            if (changed) _health = new StoreHealth(false, e.Message, _clock.GetUtcNow());
            delay = _backoff.Next();
            var until = _clock.GetUtcNow() + delay;
            if (until > _pausedUntil) _pausedUntil = until;
        }
        if (changed) _log.LogError("evidence uploads paused: {Reason}; evidence stays in the spool and uploads when the store answers again", e.Message);
    }

    private sealed class SpoolDamagedException(string message) : Exception(message);
}
