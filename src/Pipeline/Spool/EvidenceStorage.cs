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

    /// <param name="currentConfig">The running config (it changes on reload): decides each case's release policy.</param>
    public EvidenceStorage(EvidenceConfig config, IEvidenceStore store, CaseDatabase database, TimeProvider clock, ILoggerFactory logs, Func<VisionConfig>? currentConfig = null)
    {
        _config = config;
        _clock = clock;
        _log = logs.CreateLogger("Vision.Evidence");
        Store = store;
        Catalog = new EvidenceCatalog(database);
        Cases = new CaseStore(database);
        Outbox = new Outbox(database) { OrderWait = () => currentConfig?.Invoke().Dispatch?.OrderWait ?? Outbox.DefaultOrderWait };
        Budget = new SpoolBudget(config.SpoolMaxBytes, _log);
        Uploader = new EvidenceUploader(store, Catalog, config.Directory, config.Store.UploadConcurrency, clock, _log)
        {
            ReleasePolicyFor = c => currentConfig is null ? ReleasePolicy.Never : ReleasePolicyOf(currentConfig(), c.CameraId, c.RuleId),
        };
        Uploader.CaseStored += (c, at) => Budget.Removed(c.Bytes);
        Sweeper = new RetentionSweeper(store, Catalog, config.Retention, clock, _log);
    }

    public IEvidenceStore Store { get; }

    public EvidenceCatalog Catalog { get; }

    public CaseStore Cases { get; }

    public Outbox Outbox { get; }

    public SpoolBudget Budget { get; }

    /// <summary>In a cluster: the camera lease a case confirmed now is raised under (a case whose camera moved before it was written is refused).</summary>
    public Func<string, CaseFence?>? FenceOf { get; init; }

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
        await SpoolRecovery.RecoverAsync(_config.Directory, localStore, Cases, Catalog, _clock, _log, ct, fenced: FenceOf is not null).ConfigureAwait(false);
        var (cases, bytes) = await Catalog.SpooledTotalsAsync(ct).ConfigureAwait(false);
        Budget.Reset(cases, bytes);
        if (cases > 0) _log.LogInformation("{Cases} case(s) ({Bytes} bytes) wait in the spool for upload to {Store}", cases, bytes, Store.Description);
    }

    /// <summary>Uploads (after checking the store) and sweeps until stopped. Nothing here blocks detection.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(Uploader.RunAsync(ct), Sweeper.RunAsync(ct));

    /// <summary>Records a case whose files are complete in the spool (case store + upload queue, one transaction) and wakes the uploader.</summary>
    /// <param name="fence">In a cluster: the camera lease the case was raised under (refused when the camera moved since).</param>
    public async Task SpoolAsync(WrittenCase written, CaseFence? fence, CancellationToken ct)
    {
        await Cases.AddAsync(written.Record.ToNewCase() with { Fence = fence }, written.Spooled, _clock.GetUtcNow(), ct).ConfigureAwait(false);
        Budget.Added(written.Spooled.Bytes);
        Uploader.Wake();
    }

    /// <summary>The release policy of a case's rule under <paramref name="config"/>: never without dispatch; a rule no longer configured follows the default.</summary>
    public static ReleasePolicy ReleasePolicyOf(VisionConfig config, string cameraId, string ruleId)
    {
        if (config.Dispatch is not { } dispatch) return ReleasePolicy.Never;
        var rule = config.FindCamera(cameraId)?.Rules.FirstOrDefault(r => r.Id == ruleId);
        var policy = rule is null ? dispatch.Send : dispatch.PolicyFor(rule);
        return policy == DispatchPolicy.AfterReview ? ReleasePolicy.AfterReview : ReleasePolicy.OnDetection;
    }

    public EvidenceStorageSnapshot Snapshot()
    {
        var health = Uploader.Health;
        return new EvidenceStorageSnapshot(Store.Description, health.Ok, health.Problem, health.Since, Budget.Cases, Budget.Bytes, Budget.LimitBytes, Budget.NearLimit,
            Uploader.CasesStored, Uploader.ObjectsPut, Uploader.ObjectsSkipped, Uploader.BytesPut, Uploader.Failures);
    }
}
