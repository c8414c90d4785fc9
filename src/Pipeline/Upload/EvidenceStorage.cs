using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Upload;

/// <summary>What the evidence path looks like now, for /api/status, /readyz and metrics.</summary>
internal sealed record EvidenceStorageSnapshot(
    string Store,
    bool StoreOk,
    string? StoreProblem,
    DateTimeOffset StoreSince,
    int SpooledCases,
    long SpooledBytes,
    long SpoolLimitBytes,
    bool SpoolNearLimit,
    long CasesStored,
    long ObjectsPut,
    long ObjectsSkipped,
    long BytesPut,
    long UploadFailures)
{
    /// <summary>Whether the case database answers (a database away: cases wait in the spool and are written when it returns).</summary>
    public CaseDatabaseState? Database { get; init; }

    /// <summary>Spool folders whose case could not be recovered (cut off before its first photos were complete), since the start.</summary>
    public long SpoolCasesLost { get; init; }

    /// <summary>Complete cases in the spool that wait to be written to the case store (the database was away, or their camera's lease is not back yet).</summary>
    public int CasesAwaitingStore { get; init; }
}

/// <summary>
/// The live service's evidence path after the files are written: spool → catalog → background upload → store, plus
/// retention. A case is released for dispatch only once its evidence is stored (<see cref="ICaseObserver.Stored"/>): the
/// dispatch core then gets object keys and links that work, never a case whose photos are still on one node's disk.
/// </summary>
internal sealed class EvidenceStorage : ICaseSpool
{
    private readonly EvidenceConfig _config;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ICaseFences? _fences;

    /// <param name="runningConfig">The running config (it changes on reload): decides each case's release policy.</param>
    /// <param name="fences">
    /// In a cluster: the camera lease a case confirmed now is raised under (a case whose camera moved before it was
    /// written is refused); null: no fence.
    /// </param>
    public EvidenceStorage(EvidenceConfig config, IEvidenceStore store, CaseDatabase database, TimeProvider clock, ILoggerFactory logs, RunningConfig? runningConfig = null,
        CaseObservers? observers = null, ICaseFences? fences = null)
    {
        _fences = fences;
        _config = config;
        _clock = clock;
        _log = logs.CreateLogger("Vision.Evidence");
        Store = store;
        Catalog = new EvidenceCatalog(database);
        Cases = new CaseStore(database);
        Outbox = new Outbox(database, runningConfig);
        Budget = new SpoolBudget(config.SpoolMaxBytes, _log);
        Database = new CaseDatabaseHealth(clock, _log);
        Uploader = new EvidenceUploader(store, Catalog, config.Directory, config.Store.UploadConcurrency, clock, _log, observers: observers, runningConfig: runningConfig)
        {
            Database = Database,
            Budget = Budget,
        };
        Sweeper = new RetentionSweeper(store, Catalog, config.Retention, clock, _log);
    }

    /// <summary>What the loops using the case database last found of it.</summary>
    public CaseDatabaseHealth Database { get; }

    public IEvidenceStore Store { get; }

    public EvidenceCatalog Catalog { get; }

    public CaseStore Cases { get; }

    public Outbox Outbox { get; }

    public SpoolBudget Budget { get; }

    public EvidenceUploader Uploader { get; }

    public RetentionSweeper Sweeper { get; }

    /// <summary>The cases the live flow is writing now (spool recovery leaves their folders alone).</summary>
    public CasesInFlight InFlight { get; } = new();

    /// <summary>In a cluster: the lease a case recovered from the spool is written under.</summary>
    public IRecoveryFences? RecoveryFences { get; init; }

    /// <summary>Where cases recovered from the spool get their cases.jsonl line.</summary>
    public CaseLog? CaseLog { get; init; }

    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(30);

    private SpoolRecovery? _recovery;

    /// <summary>Spool recovery, made on first use (after the init-only settings above).</summary>
    public SpoolRecovery Recovery => _recovery ??= new SpoolRecovery(_config.Directory, _config.Store.Type == EvidenceStoreType.Local ? _config.LocalStoreDirectory : null,
        Cases, Catalog, _clock, _log) { Fences = RecoveryFences, InFlight = InFlight, CaseLog = CaseLog };

    /// <summary>Reconciles the spool with the catalog after a crash and counts what waits for upload.</summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        await Recovery.RecoverAsync(ct).ConfigureAwait(false);
        var (cases, bytes) = await Catalog.SpooledTotalsAsync(ct).ConfigureAwait(false);
        Budget.Reset(cases, bytes);
        Database.Answered();
        if (cases > 0) _log.LogInformation("{Cases} case(s) ({Bytes} bytes) wait in the spool for upload to {Store}", cases, bytes, Store.Description);
    }

    /// <summary>
    /// Recovery at start-up and then every <see cref="RecoveryInterval"/> until stopped: cases that waited in the spool
    /// (the database was away, the camera's lease was not back yet) are written as soon as they can be. Never ends on a
    /// database error.
    /// </summary>
    public async Task RecoverUntilStoppedAsync(bool recoveredAtStart, CancellationToken ct)
    {
        // Until one whole recovery went through (the spool's totals counted), each pass is a whole one.
        bool whole = !recoveredAtStart;
        if (whole) whole = !await TryRecoverAsync(ct, whole: true).ConfigureAwait(false);
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(RecoveryInterval, _clock, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            bool done = await TryRecoverAsync(ct, whole).ConfigureAwait(false);
            if (whole && done) whole = false;
        }
    }

    /// <returns>Whether the pass went through.</returns>
    public async Task<bool> TryRecoverAsync(CancellationToken ct, bool whole = true)
    {
        try
        {
            if (whole) await RecoverAsync(ct).ConfigureAwait(false);
            else if (await Recovery.RecoverAsync(ct).ConfigureAwait(false) > 0) Uploader.Wake();
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
        {
            Database.Failed("spool recovery", e, $"complete cases stay in the spool and are written to the case store when it answers (tried every {RecoveryInterval.TotalSeconds:0} s)");
            return false;
        }
        catch (Exception e)
        {
            _log.LogError(e, "spool recovery failed; tried again in {Seconds} s", RecoveryInterval.TotalSeconds);
            return false;
        }
    }

    /// <summary>Uploads (after checking the store) and sweeps until stopped. Nothing here blocks detection.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(Uploader.RunAsync(ct), Sweeper.RunAsync(ct));

    /// <summary>Records a case whose files are complete in the spool (case store + upload queue, one transaction) and wakes the uploader.</summary>
    /// <param name="fence">In a cluster: the camera lease the case was raised under (refused when the camera moved since).</param>
    public async Task SpoolAsync(WrittenCase written, CaseFence? fence, CancellationToken ct)
    {
        await Cases.AddAsync(NewCase.Of(written.Record) with { Fence = fence }, written.Spooled, _clock.GetUtcNow(), ct).ConfigureAwait(false);
        Budget.Added(written.Spooled.Bytes);
        Uploader.Wake();
        Database.Answered();
    }

    CaseFence? ICaseSpool.FenceOf(string cameraId) => _fences?.FenceOf(cameraId);

    void ICaseSpool.Writing(string caseId) => InFlight.Add(caseId);

    void ICaseSpool.DoneWriting(string caseId) => InFlight.Remove(caseId);

    void ICaseSpool.KeepLease(string caseDirectory, CaseFence fence) => SpooledLease.Write(caseDirectory, fence);

    public EvidenceStorageSnapshot Snapshot()
    {
        var health = Uploader.Health;
        return new EvidenceStorageSnapshot(Store.Description, health.Ok, health.Problem, health.Since, Budget.Cases, Budget.Bytes, Budget.LimitBytes, Budget.NearLimit,
            Uploader.CasesStored, Uploader.ObjectsPut, Uploader.ObjectsSkipped, Uploader.BytesPut, Uploader.Failures)
        {
            Database = Database.State,
            SpoolCasesLost = Recovery.Lost,
            CasesAwaitingStore = Recovery.Waiting,
        };
    }
}
