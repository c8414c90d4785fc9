using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Spool;

/// <summary>What the evidence path looks like now, for /api/status, /readyz and metrics.</summary>
public sealed record EvidenceStorageSnapshot(
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
    long UploadFailures);

/// <summary>
/// The live service's evidence path after the files are written: spool → catalog → background upload → store, plus
/// retention. A case is released for dispatch only once its evidence is stored (<see cref="CaseStored"/>): the
/// dispatch core then gets object keys and links that work, never a case whose photos are still on one node's disk.
/// </summary>
public sealed class EvidenceStorage
{
    private readonly EvidenceConfig _config;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;

    public EvidenceStorage(EvidenceConfig config, IEvidenceStore store, CaseDatabase database, TimeProvider clock, ILoggerFactory logs)
    {
        _config = config;
        _clock = clock;
        _log = logs.CreateLogger("Vision.Evidence");
        Store = store;
        Catalog = new EvidenceCatalog(database);
        Budget = new SpoolBudget(config.SpoolMaxBytes, _log);
        Uploader = new EvidenceUploader(store, Catalog, config.Directory, config.Store.UploadConcurrency, clock, _log);
        Uploader.CaseStored += (c, at) => Budget.Removed(c.Bytes);
        Sweeper = new RetentionSweeper(store, Catalog, config.Retention, clock, _log);
    }

    public IEvidenceStore Store { get; }

    public EvidenceCatalog Catalog { get; }

    public SpoolBudget Budget { get; }

    public EvidenceUploader Uploader { get; }

    public RetentionSweeper Sweeper { get; }

    /// <summary>A case's evidence reached the store: from here on it may be sent to the dispatch core.</summary>
    public event Action<SpooledCase, DateTimeOffset>? CaseStored
    {
        add => Uploader.CaseStored += value;
        remove => Uploader.CaseStored -= value;
    }

    /// <summary>Reconciles the spool with the catalog after a crash and counts what waits for upload.</summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        string? localStore = _config.Store.Type == EvidenceStoreType.Local ? _config.LocalStoreDirectory : null;
        await SpoolRecovery.RecoverAsync(_config.Directory, localStore, Catalog, _clock, _log, ct).ConfigureAwait(false);
        var (cases, bytes) = await Catalog.SpooledTotalsAsync(ct).ConfigureAwait(false);
        Budget.Reset(cases, bytes);
        if (cases > 0) _log.LogInformation("{Cases} case(s) ({Bytes} bytes) wait in the spool for upload to {Store}", cases, bytes, Store.Description);
    }

    /// <summary>Uploads (after checking the store) and sweeps until stopped. Nothing here blocks detection.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(Uploader.RunAsync(ct), Sweeper.RunAsync(ct));

    /// <summary>Queues a case whose files are complete in the spool.</summary>
    public async Task SpoolAsync(WrittenCase written, CancellationToken ct)
    {
        await Catalog.AddSpooledAsync(written.Spooled, _clock.GetUtcNow(), ct).ConfigureAwait(false);
        Budget.Added(written.Spooled.Bytes);
        Uploader.Wake();
    }

    public EvidenceStorageSnapshot Snapshot()
    {
        var health = Uploader.Health;
        return new EvidenceStorageSnapshot(Store.Description, health.Ok, health.Problem, health.Since, Budget.Cases, Budget.Bytes, Budget.LimitBytes, Budget.NearLimit,
            Uploader.CasesStored, Uploader.ObjectsPut, Uploader.ObjectsSkipped, Uploader.BytesPut, Uploader.Failures);
    }
}
