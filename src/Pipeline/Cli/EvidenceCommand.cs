using System.CommandLine;
using System.Globalization;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Upload;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision evidence …</c>: verify a case's evidence (sizes, SHA-256, manifest signature) in a local folder or in the
/// evidence store; check the store; hold a case against retention; run a retention sweep; print presigned links.
/// </summary>
internal static class EvidenceCommand
{
    private const string ConfigHelp = "the config of 'vision run': its evidence store, spool and case database";

    public static Command Create() => new("evidence", "Work with stored evidence.")
    {
        VerifyCommand(), CheckCommand(), HoldCommand(hold: true), HoldCommand(hold: false), SweepCommand(), UrlsCommand(),
    };

    private static Command VerifyCommand()
    {
        var dir = new Option<string?>("--dir") { Description = "a local evidence root: replay's --out (or a copy of the spool)" };
        var config = new Option<string?>("--config") { Description = ConfigHelp + "; objects are downloaded from the store and checked" };
        var caseId = new Option<string?>("--case") { Description = "verify this case only" };
        var all = new Option<bool>("--all") { Description = "verify every case (the default when --case is not given)" };
        var verify = new Command("verify", "Check every evidence object of a case against its signed manifest; exit 1 if anything does not match.") { dir, config, caseId, all };
        verify.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("evidence verify", async () =>
        {
            string? d = parsed.GetValue(dir), c = parsed.GetValue(config);
            if ((d is null) == (c is null)) throw new UsageException("give either --dir (a local evidence folder) or --config (the evidence store of 'vision run')");
            var signer = ReplayRunner.Signer();
            return d is not null
                ? await VerifyFolderAsync(d, parsed.GetValue(caseId), signer, ct).ConfigureAwait(false)
                : await VerifyStoreAsync(c!, parsed.GetValue(caseId), signer, ct).ConfigureAwait(false);
        }).ConfigureAwait(false));
        return verify;
    }

    private static Command CheckCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var check = new Command("check", "Check that the evidence store is reachable, accepts the credentials and the bucket is writable; exit 1 if not.") { config };
        check.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("evidence check", async () =>
        {
            using var store = EvidenceStoreFactory.Create(VisionConfigLoader.Load(parsed.GetValue(config)!).Evidence);
            try
            {
                await store.CheckAsync(ct).ConfigureAwait(false);
                Console.WriteLine($"ok: {store.Description} is reachable and writable");
                return 0;
            }
            catch (EvidenceStoreException e)
            {
                Console.Error.WriteLine($"vision evidence check: {e.Message}");
                return 1;
            }
        }).ConfigureAwait(false));
        return check;
    }

    private static Command HoldCommand(bool hold)
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var caseId = new Option<string>("--case") { Description = "the case id", Required = true };
        var reason = new Option<string?>("--reason") { Description = "why it is held, e.g. 'disputed by the owner'" };
        var command = hold
            ? new Command("hold", "Keep a case's evidence past its retention (under review, disputed).") { config, caseId, reason }
            : new Command("release", "Lift a hold: the case's evidence expires with its retention again.") { config, caseId };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync($"evidence {command.Name}", async () =>
        {
            var (_, catalog) = OpenCatalog(parsed.GetValue(config)!);
            string id = parsed.GetValue(caseId)!;
            if (!await catalog.SetHoldAsync(id, hold, hold ? parsed.GetValue(reason) : null, ct).ConfigureAwait(false))
                throw new UsageException($"no case '{id}' in {catalog.Database.Description}");
            Console.WriteLine(hold ? $"held: {id}" : $"released: {id}");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static Command SweepCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the cases that would be deleted, delete nothing" };
        var sweep = new Command("sweep", "Delete evidence past its retention now (the service does this every evidence.retention.sweep_interval).") { config, dryRun };
        sweep.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("evidence sweep", async () =>
        {
            var (loaded, catalog) = OpenCatalog(parsed.GetValue(config)!);
            using var store = EvidenceStoreFactory.Create(loaded.Evidence);
            var sweeper = new RetentionSweeper(store, catalog, loaded.Evidence.Retention, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            bool dry = parsed.GetValue(dryRun);
            var result = await sweeper.SweepAsync(dry, ct).ConfigureAwait(false);
            foreach (var id in result.CaseIds) Console.WriteLine($"{(dry ? "would delete" : "deleted")} {id}");
            Console.WriteLine($"{result.CasesExpired} case(s), {result.ObjectsDeleted} object(s){(dry ? " due (dry run)" : " deleted")}");
            return 0;
        }).ConfigureAwait(false));
        return sweep;
    }

    private static Command UrlsCommand()
    {
        var config = new Option<string>("--config") { Description = ConfigHelp, Required = true };
        var caseId = new Option<string>("--case") { Description = "the case id", Required = true };
        var urls = new Command("urls", "Print a short-lived presigned GET link for each evidence object of a stored case (evidence.store.presign_expiry).") { config, caseId };
        urls.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("evidence urls", async () =>
        {
            var (loaded, catalog) = OpenCatalog(parsed.GetValue(config)!);
            string id = parsed.GetValue(caseId)!;
            var entry = await catalog.FindAsync(id, ct).ConfigureAwait(false) ?? throw new UsageException($"no case '{id}' in {catalog.Database.Description}");
            if (entry.State != EvidenceState.Stored)
                throw new UsageException($"case '{id}' is {EvidenceCatalog.Wire(entry.State)}, not stored: links exist only for evidence in the store");
            using var store = EvidenceStoreFactory.Create(loaded.Evidence);
            foreach (var item in entry.Case.Objects)
            {
                var url = await store.PresignGetAsync(item.Key, loaded.Evidence.Store.PresignExpiry, ct).ConfigureAwait(false);
                string where = url?.ToString() ?? (store is LocalFolderEvidenceStore local ? local.PathOf(item.Key) : item.Key);
                Console.WriteLine($"{item.Role,-12} {where}");
            }
            return 0;
        }).ConfigureAwait(false));
        return urls;
    }

    private static async Task<int> VerifyFolderAsync(string root, string? caseId, ManifestSigner? signer, CancellationToken ct)
    {
        if (!Directory.Exists(root)) throw new UsageException($"--dir '{root}' does not exist: pass the folder holding cases.jsonl");
        var source = new FolderEvidenceSource(root);
        if (caseId is not null && !File.Exists(Path.Combine(root, caseId, CaseManifest.FileName)))
            throw new UsageException($"no case '{caseId}' with a manifest under {root}");
        var verifier = new EvidenceVerifier(source, signer);
        int bad = 0;
        var ids = caseId is null ? source.CaseIds() : [caseId];
        foreach (var id in ids)
            if (!Report(await verifier.VerifyAsync(id, ct).ConfigureAwait(false))) bad++;
        return Summary(ids.Count, bad, skipped: 0);
    }

    private static async Task<int> VerifyStoreAsync(string configPath, string? caseId, ManifestSigner? signer, CancellationToken ct)
    {
        var (loaded, catalog) = OpenCatalog(configPath);
        using var store = EvidenceStoreFactory.Create(loaded.Evidence);
        IReadOnlyList<CatalogEntry> entries = caseId is null
            ? await catalog.ListAsync(null, ct).ConfigureAwait(false)
            : [await catalog.FindAsync(caseId, ct).ConfigureAwait(false) ?? throw new UsageException($"no case '{caseId}' in {catalog.Database.Description}")];
        var fromStore = new EvidenceVerifier(new StoreEvidenceSource(store, catalog), signer);
        var fromSpool = new EvidenceVerifier(new FolderEvidenceSource(loaded.Evidence.Directory), signer);
        int bad = 0, skipped = 0;
        foreach (var entry in entries)
        {
            string id = entry.Case.CaseId;
            switch (entry.State)
            {
                case EvidenceState.Expired:
                    Console.WriteLine($"expired  {id} (deleted by retention {entry.ExpiredAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
                    skipped++;
                    continue;
                case EvidenceState.Stored:
                    try
                    {
                        if (!Report(await fromStore.VerifyAsync(id, ct).ConfigureAwait(false))) bad++;
                    }
                    catch (EvidenceStoreException e)
                    {
                        throw new UsageException(e.Message);
                    }
                    continue;
                default:
                    // Not uploaded yet: check the spool copy, which is what will be uploaded.
                    Console.WriteLine($"         {id} is {EvidenceCatalog.Wire(entry.State)} (in the spool, not yet in the store){(entry.LastError is null ? "" : $": {entry.LastError}")}");
                    if (!Report(await fromSpool.VerifyAsync(id, ct).ConfigureAwait(false))) bad++;
                    continue;
            }
        }
        return Summary(entries.Count, bad, skipped);
    }

    private static bool Report(CaseVerification result)
    {
        Console.WriteLine($"{(result.Ok ? "ok      " : "MISMATCH")} {result.CaseId}");
        foreach (var problem in result.Problems) Console.WriteLine($"         {problem}");
        if (result.Compliance is { } compliance)
        {
            ReportStandard("GA/T 832", compliance.GaT832);
            ReportStandard("Beijing", compliance.Beijing);
        }
        return result.Ok;
    }

    /// <summary>One line per standard, then one per check: whether the case's evidence meets it (not a verification failure).</summary>
    private static void ReportStandard(string standard, ComplianceVerdict verdict)
    {
        Console.WriteLine($"         {standard}: {(verdict.Met ? "met" : "not met")}");
        foreach (var check in verdict.Checks)
            Console.WriteLine($"           {(check.Met ? "met    " : "NOT MET")} {check.Name}: {check.Detail}");
    }

    private static int Summary(int total, int bad, int skipped)
    {
        int checkedCount = total - skipped;
        Console.WriteLine($"{checkedCount - bad} of {checkedCount} case(s) verified{(bad > 0 ? $", {bad} with problems" : "")}{(skipped > 0 ? $"; {skipped} expired" : "")}");
        return bad > 0 ? 1 : 0;
    }

    internal static (VisionConfig Config, EvidenceCatalog Catalog) OpenCatalog(string configPath)
    {
        var config = VisionConfigLoader.Load(configPath);
        if (!Hosting.CaseDatabaseOpener.Exists(config, out string path)) throw new UsageException($"no case database at {path}: 'vision run' with this config has not written any case yet (or evidence.directory differs)");
        return (config, new EvidenceCatalog(RunCommand.OpenDatabase(config)));
    }
}
