using Vision.Pipeline.Evidence;
using Microsoft.Extensions.Logging.Abstractions;
using Vision.Pipeline.Retry;
using Vision.Pipeline.Upload;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>The spool → store path against the local folder store: order, resume after a stop, crash recovery, damaged spool.</summary>
public sealed class EvidenceUploaderTests
{
    private static readonly DateTimeOffset Confirmed = new(2026, 11, 23, 10, 15, 0, TimeSpan.FromHours(8));

    private sealed record Setup(string Spool, LocalFolderEvidenceStore Store, EvidenceCatalog Catalog);

    private static Setup NewSetup()
    {
        string spool = Directory.CreateTempSubdirectory("vision-spool-").FullName;
        return new Setup(spool, new LocalFolderEvidenceStore(Path.Combine(spool, "store")),
            new EvidenceCatalog(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate()));
    }

    internal static EvidenceUploader Uploader(IEvidenceStore store, EvidenceCatalog catalog, string spool, int concurrency = 2, CaseObservers? observers = null) =>
        new(store, catalog, spool, concurrency, TimeProvider.System, NullLogger.Instance,
            new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), new Random(1)), observers);

    private sealed class OnStored(Action stored) : ICaseObserver
    {
        public void Stored(SpooledCase c, DateTimeOffset at) => stored();
    }

    /// <summary>Runs the uploader until every case is stored or the timeout passes; returns it stopped.</summary>
    internal static async Task RunUntilAsync(EvidenceUploader uploader, Func<Task<bool>> done, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource();
        var run = uploader.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow + timeout;
        while (!await done() && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        await run;
    }

    internal static Func<Task<bool>> AllStored(EvidenceCatalog catalog) =>
        async () => (await catalog.SpooledTotalsAsync(CancellationToken.None)).Cases == 0;

    [Fact]
    public async Task Spooled_cases_reach_the_store_under_their_dated_keys_byte_identical_and_leave_the_spool()
    {
        var s = NewSetup();
        var cases = Enumerable.Range(1, 5).Select(i => SyntheticCases.Write(s.Spool, $"cam-{i % 2}", i, Confirmed.AddMinutes(i))).ToList();
        foreach (var c in cases) await s.Catalog.AddSpooledAsync(c.Spooled, Confirmed, CancellationToken.None);
        var original = cases.SelectMany(c => c.Spooled.Objects.Select(o => (o.Key, Bytes: File.ReadAllBytes(Path.Combine(s.Spool, c.Spooled.CaseId, o.Name))))).ToList();
        var uploader = Uploader(s.Store, s.Catalog, s.Spool);

        await RunUntilAsync(uploader, AllStored(s.Catalog), TimeSpan.FromSeconds(20));

        Assert.Equal(5, uploader.CasesStored);
        Assert.Equal(original.Count, uploader.ObjectsPut);
        foreach (var (key, bytes) in original)
        {
            Assert.StartsWith("2026/11/23/cam-", key);
            Assert.Equal(bytes, File.ReadAllBytes(s.Store.PathOf(key)));
        }
        var stat = await s.Store.StatAsync(cases[0].Spooled.ManifestKey, CancellationToken.None);
        Assert.Equal(cases[0].Spooled.CaseId, stat!.Metadata["case-id"]);
        Assert.Equal("application/json", stat.ContentType);
        foreach (var c in cases)
        {
            Assert.False(Directory.Exists(Path.Combine(s.Spool, c.Spooled.CaseId)));
            Assert.Equal(EvidenceState.Stored, (await s.Catalog.FindAsync(c.Spooled.CaseId, CancellationToken.None))!.State);
        }
        Assert.True(uploader.Health.Ok);
    }

    [Fact]
    public async Task An_uploader_stopped_halfway_is_resumed_by_the_next_one_and_no_object_is_put_twice()
    {
        var s = NewSetup();
        var cases = Enumerable.Range(1, 12).Select(i => SyntheticCases.Write(s.Spool, "cam-1", i, Confirmed.AddMinutes(i), clipBytes: 2_000_000)).ToList();
        foreach (var c in cases) await s.Catalog.AddSpooledAsync(c.Spooled, Confirmed, CancellationToken.None);

        EvidenceUploader? first = null;
        using (var stop = new CancellationTokenSource())
        {
            first = Uploader(s.Store, s.Catalog, s.Spool, concurrency: 1, new CaseObservers(new OnStored(() => { if (first!.CasesStored == 3) stop.Cancel(); })));
            await first.RunAsync(stop.Token);
        }
        Assert.InRange(first.CasesStored, 3, 4);

        var second = Uploader(s.Store, s.Catalog, s.Spool, concurrency: 3);
        await RunUntilAsync(second, AllStored(s.Catalog), TimeSpan.FromSeconds(30));

        Assert.Equal(12, first.CasesStored + second.CasesStored);
        Assert.Equal(SyntheticCases.Keys(cases).Count, first.ObjectsPut + second.ObjectsPut);
        foreach (var key in SyntheticCases.Keys(cases)) Assert.True(File.Exists(s.Store.PathOf(key)), key);
    }

    [Fact]
    public async Task After_a_crash_complete_case_folders_unknown_to_the_catalog_are_queued_and_leftovers_of_stored_cases_removed()
    {
        var s = NewSetup();
        var lost = SyntheticCases.Write(s.Spool, "cam-1", 1, Confirmed);          // manifest written, catalog row never committed
        var stored = SyntheticCases.Write(s.Spool, "cam-1", 2, Confirmed.AddMinutes(1));
        await s.Catalog.AddSpooledAsync(stored.Spooled, Confirmed, CancellationToken.None);
        await s.Catalog.MarkStoredAsync(stored.Spooled.CaseId, Confirmed, ReleasePolicy.Never, CancellationToken.None); // crashed before removing its folder
        var partial = SyntheticCases.Write(s.Spool, "cam-1", 3, Confirmed.AddMinutes(2));
        File.Delete(Path.Combine(s.Spool, partial.Spooled.CaseId, "manifest.json"));         // cut off mid-write
        string notACase = Directory.CreateDirectory(Path.Combine(s.Spool, "recordings", "cam-1")).FullName;  // a folder a user put there
        await File.WriteAllBytesAsync(Path.Combine(notACase, "seg-0000000001.ts"), [1, 2, 3]);

        var recovery = new SpoolRecovery(s.Spool, Path.Combine(s.Spool, "store"), new CaseStore(s.Catalog.Database), s.Catalog, TimeProvider.System, NullLogger.Instance);
        int recovered = await recovery.RecoverAsync(CancellationToken.None);

        Assert.Equal(1, recovered);
        Assert.Equal(lost.Spooled, (await s.Catalog.FindAsync(lost.Spooled.CaseId, CancellationToken.None))!.Case with { Objects = lost.Spooled.Objects });
        Assert.Equal(lost.Spooled.Objects, (await s.Catalog.FindAsync(lost.Spooled.CaseId, CancellationToken.None))!.Case.Objects);
        Assert.False(Directory.Exists(Path.Combine(s.Spool, stored.Spooled.CaseId)));
        // Cut off before any record of it was kept: reported and counted as lost, its files kept aside for a person.
        Assert.False(Directory.Exists(Path.Combine(s.Spool, partial.Spooled.CaseId)));
        Assert.True(File.Exists(Path.Combine(s.Spool, SpoolRecovery.LostFolder, partial.Spooled.CaseId, "photo-1.jpg")));
        Assert.Equal(1, recovery.Lost);
        Assert.Null(await s.Catalog.FindAsync(partial.Spooled.CaseId, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(notACase, "seg-0000000001.ts")));
    }

    [Fact]
    public async Task A_case_cut_off_after_its_first_photos_is_completed_from_its_provisional_manifest_and_one_whose_photos_changed_is_reported_lost()
    {
        var s = NewSetup();
        // Killed before the clip: only the manifest written with the first photos.
        var cutOff = SyntheticCases.Write(s.Spool, "cam-1", 1, Confirmed);
        string folder = Path.Combine(s.Spool, cutOff.Spooled.CaseId);
        File.Move(Path.Combine(folder, CaseManifest.FileName), Path.Combine(folder, CaseManifest.ProvisionalFileName));
        // Killed while the full-resolution photos replaced the first ones: the provisional manifest no longer matches.
        var replaced = SyntheticCases.Write(s.Spool, "cam-1", 2, Confirmed.AddMinutes(1));
        string replacedFolder = Path.Combine(s.Spool, replaced.Spooled.CaseId);
        File.Move(Path.Combine(replacedFolder, CaseManifest.FileName), Path.Combine(replacedFolder, CaseManifest.ProvisionalFileName));
        await File.WriteAllBytesAsync(Path.Combine(replacedFolder, "photo-1.jpg"), [1, 2, 3]);
        await using var log = new CaseLog(Path.Combine(s.Spool, "..", "cases-" + Guid.NewGuid().ToString("N")[..8] + ".jsonl"));
        var recovery = new SpoolRecovery(s.Spool, Path.Combine(s.Spool, "store"), new CaseStore(s.Catalog.Database), s.Catalog, TimeProvider.System, NullLogger.Instance) { CaseLog = log };

        Assert.Equal(1, await recovery.RecoverAsync(CancellationToken.None));

        Assert.NotNull(await s.Catalog.FindAsync(cutOff.Spooled.CaseId, CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(folder, CaseManifest.FileName)));
        Assert.Contains(cutOff.Spooled.CaseId, await File.ReadAllTextAsync(log.Path));
        Assert.Equal(1, recovery.Lost);
        Assert.True(Directory.Exists(Path.Combine(s.Spool, SpoolRecovery.LostFolder, replaced.Spooled.CaseId)));
        Assert.Null(await s.Catalog.FindAsync(replaced.Spooled.CaseId, CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_the_live_flow_is_writing_is_left_alone_and_an_unsettled_one_is_not_called_lost_while_the_node_runs()
    {
        var s = NewSetup();
        var writing = SyntheticCases.Write(s.Spool, "cam-1", 1, Confirmed);
        File.Delete(Path.Combine(s.Spool, writing.Spooled.CaseId, CaseManifest.FileName));
        var inFlight = new CasesInFlight();
        inFlight.Add(writing.Spooled.CaseId);
        var recovery = new SpoolRecovery(s.Spool, null, new CaseStore(s.Catalog.Database), s.Catalog, TimeProvider.System, NullLogger.Instance) { InFlight = inFlight };
        await recovery.RecoverAsync(CancellationToken.None);
        Assert.True(Directory.Exists(Path.Combine(s.Spool, writing.Spooled.CaseId)));

        // No longer in flight, but changed a moment ago: a later pass (not the one at start) waits for it to settle.
        inFlight.Remove(writing.Spooled.CaseId);
        await recovery.RecoverAsync(CancellationToken.None);
        Assert.True(Directory.Exists(Path.Combine(s.Spool, writing.Spooled.CaseId)));
        Assert.Equal(0, recovery.Lost);
    }

    [Fact]
    public async Task A_case_whose_spool_file_vanished_is_marked_broken_with_the_reason_and_the_others_go_on()
    {
        var s = NewSetup();
        var damaged = SyntheticCases.Write(s.Spool, "cam-1", 1, Confirmed);
        var fine = SyntheticCases.Write(s.Spool, "cam-1", 2, Confirmed.AddMinutes(1));
        File.Delete(Path.Combine(s.Spool, damaged.Spooled.CaseId, "clip.mp4"));
        foreach (var c in new[] { damaged, fine }) await s.Catalog.AddSpooledAsync(c.Spooled, Confirmed, CancellationToken.None);
        var uploader = Uploader(s.Store, s.Catalog, s.Spool);

        await RunUntilAsync(uploader, AllStored(s.Catalog), TimeSpan.FromSeconds(20));

        var entry = await s.Catalog.FindAsync(damaged.Spooled.CaseId, CancellationToken.None);
        Assert.Equal(EvidenceState.Broken, entry!.State);
        Assert.Contains("clip.mp4 is missing from the spool", entry.LastError);
        Assert.Equal(EvidenceState.Stored, (await s.Catalog.FindAsync(fine.Spooled.CaseId, CancellationToken.None))!.State);
    }

    [Fact]
    public void A_full_spool_refuses_clips_with_the_reason_until_uploads_make_room()
    {
        var budget = new SpoolBudget(100L << 20, NullLogger.Instance);
        budget.Reset(10, 90L << 20);
        Assert.Null(budget.ClipRefusal());
        Assert.True(budget.NearLimit);

        budget.Added(10L << 20);
        Assert.Contains("evidence spool is full (100 MiB of 100 MiB", budget.ClipRefusal());

        budget.Removed(30L << 20);
        Assert.Null(budget.ClipRefusal());
        Assert.Equal(10, budget.Cases);
    }
}
