using System.Data.Common;
using Npgsql;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Hosting;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Tests.Support;
using Vision.Rules.Config;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>
/// The same scenarios on the node's SQLite file and on a PostgreSQL 15 database (a fresh one per test, real server on
/// loopback), with the same expected outcomes: what officers, the uploader and the publisher see must not depend on
/// the backend. Each scenario is one method; a fact per backend runs it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BackendParityTests(PostgresFixture postgres) : IDisposable
{
    /// <summary>Where a scenario runs; <see cref="PostgresEnglishCollation"/> is a database whose default collation is ICU's en-US, as many servers are set up.</summary>
    public enum Backend { Sqlite, Postgres, PostgresEnglishCollation }

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly AccountActor Setup = new("cli:root", null, T0);

    private readonly string _spool = Directory.CreateTempSubdirectory("vision-parity-").FullName;
    private readonly List<PostgresCaseDatabase> _opened = [];

    public void Dispose()
    {
        foreach (var db in _opened) db.Dispose();
        try
        {
            Directory.Delete(_spool, recursive: true);
        }
        catch (IOException)
        {
            // a pooled SQLite handle may still hold the file; the temp folder goes with the machine
        }
    }

    private sealed record StoreSet(CaseDatabase Database, CaseStore Cases, EvidenceCatalog Catalog, Outbox Outbox);

    private sealed record TestCase(NewCase New, SpooledCase Spooled)
    {
        public string Id => New.CaseId;
    }

    // ---------------------------------------------------------------- cases: add, find, list, counts, plates

    [Fact]
    public Task Cases_are_added_once_found_listed_filtered_paged_and_counted_alike_on_SQLite() => CasesScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Cases_are_added_once_found_listed_filtered_paged_and_counted_alike_on_PostgreSQL() => CasesScenario(Backend.Postgres);

    private async Task CasesScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var parked = Case("cam-1", 1, T0.AddMinutes(1), plate: "京A12345");
        var stall = Case("cam-1", 2, T0.AddMinutes(2), violation: "street_stall", zone: "market");
        var percent = Case("cam-2", 3, T0.AddMinutes(3), plate: "AB%12");
        var underscore = Case("cam-2", 4, T0.AddMinutes(4), plate: "AB_12");
        var plain = Case("cam-2", 5, T0.AddMinutes(5), plate: "ABX12");
        var backslash = Case("cam-3", 6, T0.AddMinutes(5), plate: @"AB\12"); // same time as plain: the case id decides
        TestCase[] all = [parked, stall, percent, underscore, plain, backslash];
        foreach (var c in all) await s.Cases.AddAsync(c.New, c.Spooled, T0, None);

        // Adding a case again (spool recovery after a crash) changes nothing, not even a decision made since.
        var officer = new CaseHistoryEntry(CaseStatus.Confirmed, T0.AddMinutes(30), "officer-7", null, "kerb, 3 min", "10.0.0.5");
        Assert.Equal(DecisionResult.Recorded, (await s.Cases.DecideAsync(parked.Id, new CaseDecision(CaseStatus.Confirmed, officer, ReleasePolicy.Never), None)).Result);
        await s.Cases.AddAsync(parked.New, parked.Spooled, T0.AddHours(1), None);
        var again = await s.Cases.FindAsync(parked.Id, None);
        Assert.Equal((CaseStatus.Confirmed, 2L, "officer-7"), (again!.Status, again.Version, again.StatusBy));
        Assert.Equal([CaseStatus.AutoCaptured, CaseStatus.Confirmed], (await s.Cases.HistoryAsync(parked.Id, None)).Select(h => h.Status));
        Assert.Equal(T0, (await s.Catalog.FindAsync(parked.Id, None))!.SpooledAt);
        Assert.Equal(6, (await s.Catalog.ListAsync(null, None)).Count);

        var found = await s.Cases.FindAsync(percent.Id, None);
        Assert.NotNull(found);
        var n = percent.New;
        Assert.Equal((n.CaseId, n.CameraId, n.RuleId, n.Violation, n.ZoneId, n.StartedAt, n.ConfirmedAt, n.Confidence),
            (found.CaseId, found.CameraId, found.RuleId, found.Violation, found.ZoneId, found.StartedAt, found.ConfirmedAt, found.Confidence));
        Assert.Equal((CaseStatus.AutoCaptured, T0, (string?)null, 1L, "AB%12", n.RecordJson),
            (found.Status, found.StatusAt, found.StatusBy, found.Version, found.Plate, found.RecordJson));
        Assert.Null(await s.Cases.FindAsync("no-such-case", None));

        async Task<string[]> Ids(CaseQuery q) => (await s.Cases.ListAsync(q, None)).Select(c => c.CaseId).ToArray();
        string[] Of(params TestCase[] cases) => cases.Select(c => c.Id).ToArray();

        Assert.Equal(Of(backslash, plain, underscore, percent, stall, parked), await Ids(new CaseQuery()));
        Assert.Equal(Of(parked), await Ids(new CaseQuery(Status: CaseStatus.Confirmed)));
        Assert.Equal(Of(backslash, plain, underscore, percent, stall), await Ids(new CaseQuery(Status: CaseStatus.AutoCaptured)));
        Assert.Empty(await Ids(new CaseQuery(Status: CaseStatus.Dispatched)));
        Assert.Equal(Of(plain, underscore, percent), await Ids(new CaseQuery(CameraId: "cam-2")));
        Assert.Equal(Of(stall), await Ids(new CaseQuery(Violation: "street_stall")));
        Assert.Equal(Of(stall), await Ids(new CaseQuery(ZoneId: "market")));
        Assert.Equal(Of(backslash, plain, underscore, percent, parked), await Ids(new CaseQuery(ZoneId: "kerb")));
        Assert.Equal(Of(percent, stall), await Ids(new CaseQuery(From: T0.AddMinutes(2), To: T0.AddMinutes(4)))); // from inclusive, to exclusive
        Assert.Equal(Of(backslash, plain), await Ids(new CaseQuery(From: T0.AddMinutes(5))));

        // A plate part is text, not a pattern: % and _ and \ match themselves only.
        Assert.Equal(Of(percent), await Ids(new CaseQuery(Plate: "B%1")));
        Assert.Equal(Of(underscore), await Ids(new CaseQuery(Plate: "B_1")));
        Assert.Equal(Of(backslash), await Ids(new CaseQuery(Plate: @"B\1")));
        Assert.Equal(Of(percent), await Ids(new CaseQuery(Plate: "%")));
        Assert.Equal(Of(backslash, plain, underscore, percent), await Ids(new CaseQuery(Plate: "AB")));
        Assert.Equal(Of(parked), await Ids(new CaseQuery(Plate: CaseQuery.NormalisePlateSearch("京a·123"))));
        Assert.Equal(Of(plain, underscore), await Ids(new CaseQuery(CameraId: "cam-2", From: T0.AddMinutes(4), Plate: "AB")));

        Assert.Equal(Of(backslash, plain), await Ids(new CaseQuery(Limit: 2)));
        Assert.Equal(Of(underscore, percent), await Ids(new CaseQuery(Limit: 2, Offset: 2)));
        Assert.Equal(Of(stall, parked), await Ids(new CaseQuery(Limit: 2, Offset: 4)));
        Assert.Empty(await Ids(new CaseQuery(Limit: 2, Offset: 6)));
        Assert.Equal(Of(plain), await Ids(new CaseQuery(CameraId: "cam-2", Limit: 1)));

        var counts = await s.Cases.CountByStatusAsync(new CaseQuery(), None);
        Assert.Equal(new Dictionary<CaseStatus, int> { [CaseStatus.AutoCaptured] = 5, [CaseStatus.Confirmed] = 1, [CaseStatus.Rejected] = 0, [CaseStatus.Dispatched] = 0 }, counts);
        var cam1 = await s.Cases.CountByStatusAsync(new CaseQuery(Status: CaseStatus.Rejected, CameraId: "cam-1"), None); // status filter ignored
        Assert.Equal((1, 1), (cam1[CaseStatus.AutoCaptured], cam1[CaseStatus.Confirmed]));
        Assert.Equal(3, (await s.Cases.CountByStatusAsync(new CaseQuery(Plate: "AB", From: T0.AddMinutes(4)), None))[CaseStatus.AutoCaptured]);

        Assert.Equal(underscore.Id, (await s.Cases.FindRecentByPlateAsync("cam-2", "rule-cam-2", "AB_12", T0.AddMinutes(4), None))?.CaseId);
        Assert.Null(await s.Cases.FindRecentByPlateAsync("cam-2", "rule-cam-2", "AB_12", T0.AddMinutes(4).AddMilliseconds(1), None));
        Assert.Equal(percent.Id, (await s.Cases.FindRecentByPlateAsync("cam-2", "rule-cam-2", "AB%12", T0, None))?.CaseId);
        Assert.Null(await s.Cases.FindRecentByPlateAsync("cam-2", "rule-cam-1", "AB_12", T0, None));
        Assert.Null(await s.Cases.FindRecentByPlateAsync("cam-1", "rule-cam-1", "AB_12", T0, None));
    }

    // ---------------------------------------------------------------- decisions

    [Fact]
    public Task Decisions_check_the_version_ask_before_a_change_stop_at_dispatch_and_keep_history_on_SQLite() => DecisionsScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Decisions_check_the_version_ask_before_a_change_stop_at_dispatch_and_keep_history_on_PostgreSQL() => DecisionsScenario(Backend.Postgres);

    private async Task DecisionsScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var c = await AddAsync(s, Case("cam-1", 1, T0), store: false);
        var confirm = new CaseHistoryEntry(CaseStatus.Confirmed, T0.AddMinutes(10), "officer-a", null, "blocks the kerb", "10.0.0.5");
        var reject = new CaseHistoryEntry(CaseStatus.Rejected, T0.AddMinutes(20), "officer-b", "false_detection", "a delivery, stopped 2 min", "10.0.0.6");

        Assert.Equal(new DecisionOutcome(DecisionResult.Recorded, CaseStatus.Confirmed, 2, "officer-a"),
            await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Confirmed, confirm, ReleasePolicy.AfterReview) { ExpectedVersion = 1 }, None));
        Assert.Equal(new DecisionOutcome(DecisionResult.ChangedMeanwhile, CaseStatus.Confirmed, 2, "officer-a"),
            await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, reject, ReleasePolicy.AfterReview) { ExpectedVersion = 1 }, None));
        Assert.Equal(new DecisionOutcome(DecisionResult.ChangeNeedsConfirmation, CaseStatus.Confirmed, 2, "officer-a"),
            await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, reject, ReleasePolicy.AfterReview) { ExpectedVersion = 2 }, None));
        Assert.Equal(DecisionResult.ChangeNeedsConfirmation,
            (await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, reject, ReleasePolicy.AfterReview) { ExpectedVersion = 2, ChangeConfirmed = true, ChangeReason = "  " }, None)).Result);
        Assert.Equal(new DecisionOutcome(DecisionResult.Recorded, CaseStatus.Rejected, 3, "officer-b"),
            await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, reject, ReleasePolicy.AfterReview) { ExpectedVersion = 2, ChangeConfirmed = true, ChangeReason = "  the van was loading  " }, None));

        var stored = (await s.Cases.FindAsync(c.Id, None))!;
        Assert.Equal((CaseStatus.Rejected, 3L, "officer-b", "false_detection", "a delivery, stopped 2 min", reject.At),
            (stored.Status, stored.Version, stored.StatusBy, stored.StatusReason, stored.StatusNote, stored.StatusAt));

        // The operator's command line changes a decision without being asked; the history still says it was a change.
        Assert.True(await s.Cases.ReviewAsync(c.Id, CaseStatus.Confirmed, confirm with { At = T0.AddMinutes(30), Actor = "operator" }, ReleasePolicy.Never, None));
        var history = await s.Cases.HistoryAsync(c.Id, None);
        Assert.Equal([CaseStatus.AutoCaptured, CaseStatus.Confirmed, CaseStatus.Rejected, CaseStatus.Confirmed], history.Select(h => h.Status));
        Assert.Equal(("vision", T0, (CaseStatus?)null), (history[0].Actor, history[0].At, history[0].ChangedFrom));
        Assert.Equal(("officer-a", (CaseStatus?)null, (string?)null, "blocks the kerb", "10.0.0.5"),
            (history[1].Actor, history[1].ChangedFrom, history[1].ChangeReason, history[1].Note, history[1].Address));
        Assert.Equal(("officer-b", "false_detection", (CaseStatus?)CaseStatus.Confirmed, "the van was loading", reject.At),
            (history[2].Actor, history[2].Reason, history[2].ChangedFrom, history[2].ChangeReason, history[2].At));
        Assert.Equal(("operator", (CaseStatus?)CaseStatus.Rejected, (string?)null), (history[3].Actor, history[3].ChangedFrom, history[3].ChangeReason));

        Assert.Equal(new DecisionOutcome(DecisionResult.NotFound), await s.Cases.DecideAsync("no-such-case", new CaseDecision(CaseStatus.Confirmed, confirm, ReleasePolicy.Never), None));
        await Assert.ThrowsAsync<ArgumentException>(() => s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Dispatched, confirm, ReleasePolicy.Never), None));

        // Delivered to the dispatch core: no decision changes it any more.
        var sent = await AddAsync(s, Case("cam-2", 2, T0.AddMinutes(1)), storedWith: ReleasePolicy.OnDetection);
        var message = (await s.Outbox.DueAsync(T0.AddHours(1), 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Single(m => m.CaseId == sent.Id);
        await s.Outbox.MarkDeliveredAsync(message, T0.AddHours(1), 201, "{\"caseNo\":\"X-1\"}", None);
        Assert.Equal(new DecisionOutcome(DecisionResult.AlreadyDispatched, CaseStatus.Dispatched, 1, "vision"),
            await s.Cases.DecideAsync(sent.Id, new CaseDecision(CaseStatus.Rejected, reject, ReleasePolicy.OnDetection) { ExpectedVersion = 1 }, None));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => s.Cases.ReviewAsync(sent.Id, CaseStatus.Rejected, reject, ReleasePolicy.OnDetection, None));
        Assert.Contains("already dispatched", refused.Message, StringComparison.Ordinal);
        Assert.Equal([CaseStatus.AutoCaptured, CaseStatus.Dispatched], (await s.Cases.HistoryAsync(sent.Id, None)).Select(h => h.Status));
    }

    [Fact]
    public Task A_page_past_the_int_range_is_empty_and_free_text_over_its_limit_records_nothing_on_SQLite() => LimitsScenario(Backend.Sqlite);

    [PostgresFact]
    public Task A_page_past_the_int_range_is_empty_and_free_text_over_its_limit_records_nothing_on_PostgreSQL() => LimitsScenario(Backend.Postgres);

    private async Task LimitsScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var c = await AddAsync(s, Case("cam-1", 1, T0), store: false);

        // Page 2,147,483,647 of 200: an offset past int's range (SQLite read it as page 1, PostgreSQL refused it).
        Assert.Empty(await s.Cases.ListAsync(new CaseQuery(Limit: 200, Offset: (int.MaxValue - 1L) * 200), None));
        Assert.Equal([c.Id], (await s.Cases.ListAsync(new CaseQuery(Limit: 200), None)).Select(x => x.CaseId));

        // Every path decides through the store, so its limits hold for the console, its bulk decision and the command line.
        var entry = new CaseHistoryEntry(CaseStatus.Rejected, T0.AddMinutes(5), "officer-a", "other", new string('n', DecisionText.MaxNote + 1), "10.0.0.5");
        var note = await Assert.ThrowsAsync<DecisionTextTooLongException>(() => s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, entry, ReleasePolicy.Never), None));
        Assert.Equal(("note", 2000), (note.Field, note.Limit));
        var reason = await Assert.ThrowsAsync<DecisionTextTooLongException>(() => s.Cases.ReviewAsync(c.Id, CaseStatus.Rejected, entry with { Note = null, Reason = new string('r', 65) }, ReleasePolicy.Never, None));
        Assert.Equal(("reason", 64), (reason.Field, reason.Limit));
        var change = await Assert.ThrowsAsync<DecisionTextTooLongException>(() => s.Cases.DecideAsync(c.Id,
            new CaseDecision(CaseStatus.Rejected, entry with { Note = null }, ReleasePolicy.Never) { ChangeConfirmed = true, ChangeReason = new string('c', 2001) }, None));
        Assert.Equal("changeReason", change.Field);
        var untouched = (await s.Cases.FindAsync(c.Id, None))!;
        Assert.Equal((CaseStatus.AutoCaptured, 1L), (untouched.Status, untouched.Version));
        Assert.Single(await s.Cases.HistoryAsync(c.Id, None));

        // At the limit the note is kept whole.
        string longest = string.Concat(Enumerable.Repeat("车", DecisionText.MaxNote));
        Assert.Equal(DecisionResult.Recorded, (await s.Cases.DecideAsync(c.Id, new CaseDecision(CaseStatus.Rejected, entry with { Note = longest }, ReleasePolicy.Never), None)).Result);
        Assert.Equal(longest, (await s.Cases.FindAsync(c.Id, None))!.StatusNote);
    }

    [Fact]
    public Task Of_two_reviewers_deciding_the_same_version_at_once_exactly_one_is_recorded_on_SQLite() => ConcurrentDecisionScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Of_two_reviewers_deciding_the_same_version_at_once_exactly_one_is_recorded_on_PostgreSQL() => ConcurrentDecisionScenario(Backend.Postgres);

    private async Task ConcurrentDecisionScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var c = await AddAsync(s, Case("cam-1", 1, T0), storedWith: ReleasePolicy.Never);
        CaseDecision Decision(CaseStatus status, string officer) =>
            new(status, new CaseHistoryEntry(status, T0.AddMinutes(5), officer, status == CaseStatus.Rejected ? "false_detection" : null, null, null), ReleasePolicy.AfterReview) { ExpectedVersion = 1 };

        DecisionOutcome[] outcomes;
        if (backend == Backend.Postgres)
        {
            // Truly at once: a third connection holds the case's row, both reviewers read version 1 and then wait on
            // their guarded UPDATE; once the row is let go, one UPDATE wins and the other finds the version moved on.
            await using var holder = s.Database.Open();
            await using var hold = await holder.BeginTransactionAsync();
            await using (var lockRow = holder.CreateCommand())
            {
                lockRow.Transaction = hold;
                lockRow.CommandText = $"SELECT 1 FROM cases WHERE case_id = '{c.Id}' FOR UPDATE";
                await lockRow.ExecuteNonQueryAsync();
            }
            var a = Task.Run(() => s.Cases.DecideAsync(c.Id, Decision(CaseStatus.Confirmed, "officer-a"), None));
            var b = Task.Run(() => s.Cases.DecideAsync(c.Id, Decision(CaseStatus.Rejected, "officer-b"), None));
            await WaitForLockWaitersAsync(s.Database, 2, [a, b]);
            await hold.CommitAsync();
            outcomes = await Task.WhenAll(a, b).WaitAsync(Wait);
        }
        else
        {
            using var start = new Barrier(2);
            outcomes = await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); return s.Cases.DecideAsync(c.Id, Decision(CaseStatus.Confirmed, "officer-a"), None); }),
                Task.Run(() => { start.SignalAndWait(); return s.Cases.DecideAsync(c.Id, Decision(CaseStatus.Rejected, "officer-b"), None); })).WaitAsync(Wait);
        }

        Assert.Equal([DecisionResult.Recorded, DecisionResult.ChangedMeanwhile], outcomes.Select(o => o.Result).Order());
        var winner = outcomes.Single(o => o.Result == DecisionResult.Recorded);
        var stored = (await s.Cases.FindAsync(c.Id, None))!;
        Assert.Equal((winner.Status, 2L, winner.StatusBy), ((CaseStatus?)stored.Status, stored.Version, stored.StatusBy));
        var history = await s.Cases.HistoryAsync(c.Id, None);
        Assert.Equal([CaseStatus.AutoCaptured, winner.Status!.Value], history.Select(h => h.Status));
        Assert.Equal(winner.StatusBy, history[1].Actor);
        // A confirmation released the stored case; a rejection did not.
        Assert.Equal(winner.Status == CaseStatus.Confirmed, await s.Outbox.FindByCaseAsync(c.Id, None) is not null);
    }

    // ---------------------------------------------------------------- rule statistics

    [Fact]
    public Task Rule_stats_count_last_decisions_overall_and_per_week_with_the_same_week_labels_on_SQLite() => RuleStatsScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Rule_stats_count_last_decisions_overall_and_per_week_with_the_same_week_labels_on_PostgreSQL() => RuleStatsScenario(Backend.Postgres);

    private async Task RuleStatsScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        static DateTimeOffset Utc(int y, int m, int d, int h = 12, int min = 0, int sec = 0, int ms = 0) => new(y, m, d, h, min, sec, ms, TimeSpan.Zero);
        var tooOld = await AddAsync(s, Case("cam-1", 1, Utc(2024, 12, 29, 23)), store: false);
        var newYearsEve2024 = await AddAsync(s, Case("cam-1", 2, Utc(2024, 12, 31)), store: false);               // Tue: 2024-W53
        var sunday2025 = await AddAsync(s, Case("cam-1", 3, Utc(2025, 12, 28, 23, 59, 59)), store: false);        // Sun: 2025-W51
        var monday2025 = await AddAsync(s, Case("cam-1", 4, Utc(2025, 12, 29, 0)), store: false);                 // Mon: 2025-W52
        var newYear2026 = await AddAsync(s, Case("cam-1", 5, Utc(2026, 1, 1, 0)), store: false);                  // Thu: 2026-W00
        var sundayLate = await AddAsync(s, Case("cam-1", 6, Utc(2026, 1, 4, 23, 59, 59, 999)), store: false);     // Sun: 2026-W00
        // Monday 04:00 in Beijing, still Sunday in UTC: weeks are UTC weeks.
        var sundayUtc = await AddAsync(s, Case("cam-1", 7, new DateTimeOffset(2026, 1, 5, 4, 0, 0, TimeSpan.FromHours(8))), store: false); // 2026-W00
        var monday2026 = await AddAsync(s, Case("cam-1", 8, Utc(2026, 1, 5, 0)), store: false);                   // Mon: 2026-W01
        var otherCamera = await AddAsync(s, Case("cam-2", 9, Utc(2026, 1, 5, 9)), store: false);                  // Mon: 2026-W01

        var at = Utc(2026, 2, 1);
        await Decide(tooOld, CaseStatus.Confirmed);
        await Decide(newYearsEve2024, CaseStatus.Confirmed);
        await Decide(monday2025, CaseStatus.Rejected);
        await Decide(newYear2026, CaseStatus.Confirmed);
        await Decide(newYear2026, CaseStatus.Rejected); // changed: counts by the last decision
        await Decide(sundayUtc, CaseStatus.Rejected);
        await Decide(otherCamera, CaseStatus.Confirmed);
        // Confirmed, then delivered to the dispatch core: still a confirmation.
        await Decide(sundayLate, CaseStatus.Confirmed);
        await s.Catalog.MarkStoredAsync(sundayLate.Id, at, ReleasePolicy.AfterReview, None);
        var message = (await s.Outbox.DueAsync(at, 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Single();
        await s.Outbox.MarkDeliveredAsync(message, at, 201, null, None);
        Assert.Equal(CaseStatus.Dispatched, (await s.Cases.FindAsync(sundayLate.Id, None))!.Status);

        var since = Utc(2024, 12, 30, 0);
        var perWeek = await s.Cases.RuleStatsAsync(since, perWeek: true, None);
        Assert.Equal(
            [
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", "2024-W53", 1, 1, 0),
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", "2025-W51", 1, 0, 0),
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", "2025-W52", 1, 0, 1),
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", "2026-W00", 3, 1, 2),
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", "2026-W01", 1, 0, 0),
                new RuleReviewStats("rule-cam-2", "cam-2", "illegal_parking", "2026-W01", 1, 1, 0),
            ], perWeek);

        var overall = await s.Cases.RuleStatsAsync(since, perWeek: false, None);
        Assert.Equal(
            [
                new RuleReviewStats("rule-cam-1", "cam-1", "illegal_parking", null, 7, 2, 3),
                new RuleReviewStats("rule-cam-2", "cam-2", "illegal_parking", null, 1, 1, 0),
            ], overall);
        Assert.Equal((2, 0.4), (overall[0].Pending, overall[0].Precision));
        Assert.Empty(await s.Cases.RuleStatsAsync(Utc(2026, 1, 6), perWeek: true, None));

        async Task Decide(TestCase c, CaseStatus status)
        {
            at = at.AddMinutes(1);
            Assert.True(await s.Cases.ReviewAsync(c.Id, status, new CaseHistoryEntry(status, at, "officer-7", status == CaseStatus.Rejected ? "false_detection" : null, null, null), ReleasePolicy.Never, None));
        }
    }

    // ---------------------------------------------------------------- evidence catalog

    [Fact]
    public Task Evidence_moves_from_spool_to_store_releases_by_policy_and_expires_unless_held_on_SQLite() => CatalogScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Evidence_moves_from_spool_to_store_releases_by_policy_and_expires_unless_held_on_PostgreSQL() => CatalogScenario(Backend.Postgres);

    private async Task CatalogScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var onDetection = await AddAsync(s, Case("cam-1", 1, T0.AddMinutes(1)), store: false);
        var afterReview = await AddAsync(s, Case("cam-1", 2, T0.AddMinutes(2)), store: false);
        var confirmedFirst = await AddAsync(s, Case("cam-2", 3, T0.AddMinutes(3), violation: "street_stall"), store: false);
        var never = await AddAsync(s, Case("cam-2", 4, T0.AddMinutes(4)), store: false);
        var rejected = await AddAsync(s, Case("cam-3", 5, T0.AddMinutes(5)), store: false);
        var evidenceOnly = Case("cam-3", 6, T0.AddMinutes(6));
        await s.Catalog.AddSpooledAsync(evidenceOnly.Spooled, T0, None);
        await s.Catalog.AddSpooledAsync(evidenceOnly.Spooled, T0.AddHours(1), None);
        TestCase[] all = [onDetection, afterReview, confirmedFirst, never, rejected, evidenceOnly];

        string[] Of(params TestCase[] cases) => cases.Select(c => c.Id).ToArray();
        async Task<string[]> Pending(int limit, params TestCase[] exclude) =>
            (await s.Catalog.PendingAsync(limit, Of(exclude).ToHashSet(), None)).Select(c => c.CaseId).ToArray();

        Assert.Equal(Of(all), await Pending(10));
        Assert.Equal(Of(afterReview, confirmedFirst), await Pending(2, onDetection));
        Assert.Equal((6, all.Sum(c => c.Spooled.Bytes)), await s.Catalog.SpooledTotalsAsync(None));
        var entry = (await s.Catalog.FindAsync(onDetection.Id, None))!;
        Assert.Equal((EvidenceState.Spooled, T0, 0, false), (entry.State, entry.SpooledAt, entry.Attempts, entry.Hold));
        Assert.Equal(onDetection.Spooled.Objects, entry.Case.Objects);
        Assert.Equal((onDetection.Spooled.KeyPrefix, onDetection.Spooled.ConfirmedAt, onDetection.Spooled.Violation), (entry.Case.KeyPrefix, entry.Case.ConfirmedAt, entry.Case.Violation));

        Assert.Equal(0, await s.Catalog.StartAttemptAsync(onDetection.Id, None));
        await s.Catalog.RecordFailureAsync(onDetection.Id, "the store answered 503", None);
        Assert.Equal(1, await s.Catalog.StartAttemptAsync(onDetection.Id, None));
        entry = (await s.Catalog.FindAsync(onDetection.Id, None))!;
        Assert.Equal((EvidenceState.Spooled, 2, "the store answered 503"), (entry.State, entry.Attempts, entry.LastError));

        var storedAt = T0.AddHours(1);
        await s.Catalog.MarkStoredAsync(onDetection.Id, storedAt, ReleasePolicy.OnDetection, None);
        entry = (await s.Catalog.FindAsync(onDetection.Id, None))!;
        Assert.Equal((EvidenceState.Stored, (DateTimeOffset?)storedAt, 2, (string?)null), (entry.State, entry.StoredAt, entry.Attempts, entry.LastError));
        Assert.Equal((OutboxState.Pending, storedAt), await MessageOf(onDetection));

        await s.Catalog.MarkStoredAsync(afterReview.Id, storedAt, ReleasePolicy.AfterReview, None);
        Assert.Null(await s.Outbox.FindByCaseAsync(afterReview.Id, None));
        await Review(s, afterReview, CaseStatus.Confirmed, ReleasePolicy.AfterReview, storedAt.AddMinutes(5));
        Assert.Equal((OutboxState.Pending, storedAt.AddMinutes(5)), await MessageOf(afterReview));

        await Review(s, confirmedFirst, CaseStatus.Confirmed, ReleasePolicy.AfterReview, storedAt);
        Assert.Null(await s.Outbox.FindByCaseAsync(confirmedFirst.Id, None)); // still uploading
        await s.Catalog.MarkStoredAsync(confirmedFirst.Id, storedAt.AddMinutes(7), ReleasePolicy.AfterReview, None);
        Assert.Equal((OutboxState.Pending, storedAt.AddMinutes(7)), await MessageOf(confirmedFirst));

        await s.Catalog.MarkStoredAsync(never.Id, storedAt, ReleasePolicy.Never, None);
        await Review(s, rejected, CaseStatus.Rejected, ReleasePolicy.OnDetection, storedAt);
        await s.Catalog.MarkStoredAsync(rejected.Id, storedAt, ReleasePolicy.OnDetection, None);
        await s.Catalog.MarkStoredAsync(onDetection.Id, storedAt.AddHours(1), ReleasePolicy.OnDetection, None); // again: no second message
        Assert.Null(await s.Outbox.FindByCaseAsync(never.Id, None));
        Assert.Null(await s.Outbox.FindByCaseAsync(rejected.Id, None));
        Assert.Equal(3, (await s.Outbox.ListAsync(OutboxState.Pending, 10, None)).Count);
        Assert.Equal(storedAt, (await s.Catalog.FindAsync(onDetection.Id, None))!.StoredAt);

        Assert.Equal(Of(evidenceOnly), await Pending(10));
        Assert.Equal((1, evidenceOnly.Spooled.Bytes), await s.Catalog.SpooledTotalsAsync(None));
        await s.Catalog.MarkBrokenAsync(evidenceOnly.Id, "clip.mp4 is missing from the spool", None);
        Assert.Empty(await Pending(10));
        Assert.Equal((0, 0L), await s.Catalog.SpooledTotalsAsync(None));
        Assert.Equal("clip.mp4 is missing from the spool", (await s.Catalog.ListAsync(EvidenceState.Broken, None)).Single().LastError);

        // Retention: street stalls are kept 30 days, everything else 90.
        var keep = new Dictionary<string, TimeSpan> { ["street_stall"] = TimeSpan.FromDays(30) };
        async Task<string[]> Expired(DateTimeOffset now) =>
            (await s.Catalog.ExpiredAsync(keep, TimeSpan.FromDays(90), now, 10, None)).Select(e => e.Case.CaseId).ToArray();
        Assert.Equal(Of(confirmedFirst), await Expired(T0.AddDays(60)));
        Assert.Equal(Of(onDetection, afterReview, confirmedFirst, never, rejected), await Expired(T0.AddDays(100)));
        Assert.Equal(Of(onDetection, afterReview), (await s.Catalog.ExpiredAsync(keep, TimeSpan.FromDays(90), T0.AddDays(100), 2, None)).Select(e => e.Case.CaseId));
        // Older than the retention, strictly.
        var noKeep = new Dictionary<string, TimeSpan>();
        var thirtyDaysOn = confirmedFirst.New.ConfirmedAt.AddDays(30);
        Assert.Equal(Of(onDetection, afterReview), (await s.Catalog.ExpiredAsync(noKeep, TimeSpan.FromDays(30), thirtyDaysOn, 10, None)).Select(e => e.Case.CaseId));
        Assert.Equal(Of(onDetection, afterReview, confirmedFirst), (await s.Catalog.ExpiredAsync(noKeep, TimeSpan.FromDays(30), thirtyDaysOn.AddMilliseconds(1), 10, None)).Select(e => e.Case.CaseId));

        Assert.True(await s.Catalog.SetHoldAsync(confirmedFirst.Id, hold: true, "court order 2026-17", None));
        Assert.False(await s.Catalog.SetHoldAsync("no-such-case", hold: true, "x", None));
        entry = (await s.Catalog.FindAsync(confirmedFirst.Id, None))!;
        Assert.Equal((true, "court order 2026-17"), (entry.Hold, entry.HoldReason));
        Assert.Empty(await Expired(T0.AddDays(60)));
        await s.Catalog.MarkExpiredAsync(confirmedFirst.Id, T0.AddDays(60), None);
        Assert.Equal(EvidenceState.Stored, (await s.Catalog.FindAsync(confirmedFirst.Id, None))!.State);

        Assert.True(await s.Catalog.SetHoldAsync(confirmedFirst.Id, hold: false, "ignored when releasing", None));
        entry = (await s.Catalog.FindAsync(confirmedFirst.Id, None))!;
        Assert.Equal((false, (string?)null), (entry.Hold, entry.HoldReason));
        await s.Catalog.MarkExpiredAsync(confirmedFirst.Id, T0.AddDays(60), None);
        entry = (await s.Catalog.FindAsync(confirmedFirst.Id, None))!;
        Assert.Equal((EvidenceState.Expired, (DateTimeOffset?)T0.AddDays(60)), (entry.State, entry.ExpiredAt));
        Assert.Empty(await Expired(T0.AddDays(60)));
        Assert.Equal(Of(confirmedFirst), (await s.Catalog.ListAsync(EvidenceState.Expired, None)).Select(e => e.Case.CaseId));
        Assert.Equal(Of(onDetection, afterReview, never, rejected), (await s.Catalog.ListAsync(EvidenceState.Stored, None)).Select(e => e.Case.CaseId));
        Assert.Equal(Of(all), (await s.Catalog.ListAsync(null, None)).Select(e => e.Case.CaseId));

        async Task<(OutboxState, DateTimeOffset)?> MessageOf(TestCase c) =>
            await s.Outbox.FindByCaseAsync(c.Id, None) is { } m ? (m.State, m.CreatedAt) : null;
    }

    [Fact]
    public Task Nodes_sharing_a_database_each_see_only_their_own_spool_but_every_stored_case_on_SQLite() => SpoolScopeScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Nodes_sharing_a_database_each_see_only_their_own_spool_but_every_stored_case_on_PostgreSQL() => SpoolScopeScenario(Backend.Postgres);

    private async Task SpoolScopeScenario(Backend backend)
    {
        string location = await NewLocationAsync(backend);
        var a = StoresOn(Open(backend, location, "node-a"));
        var b = StoresOn(Open(backend, location, "node-b"));
        var a1 = await AddAsync(a, Case("cam-1", 1, T0.AddMinutes(1)), store: false);
        var b1 = await AddAsync(b, Case("cam-2", 2, T0.AddMinutes(2)), store: false);
        var a2 = Case("cam-1", 3, T0.AddMinutes(3));
        await a.Catalog.AddSpooledAsync(a2.Spooled, T0, None);
        var b2 = await AddAsync(b, Case("cam-2", 4, T0.AddMinutes(4)), store: false);

        static async Task<string[]> Pending(StoreSet s) => (await s.Catalog.PendingAsync(10, new HashSet<string>(), None)).Select(c => c.CaseId).ToArray();
        static async Task<string[]> List(StoreSet s, EvidenceState? state) => (await s.Catalog.ListAsync(state, None)).Select(e => e.Case.CaseId).ToArray();

        Assert.Equal([a1.Id, a2.Id], await Pending(a));
        Assert.Equal([b1.Id, b2.Id], await Pending(b));
        Assert.Equal((2, a1.Spooled.Bytes + a2.Spooled.Bytes), await a.Catalog.SpooledTotalsAsync(None));
        Assert.Equal((2, b1.Spooled.Bytes + b2.Spooled.Bytes), await b.Catalog.SpooledTotalsAsync(None));
        Assert.Equal([a1.Id, a2.Id], await List(a, EvidenceState.Spooled));
        Assert.Equal([b1.Id, b2.Id], await List(b, EvidenceState.Spooled));

        await a.Catalog.MarkStoredAsync(a1.Id, T0.AddHours(1), ReleasePolicy.OnDetection, None);
        await b.Catalog.MarkStoredAsync(b2.Id, T0.AddHours(1), ReleasePolicy.OnDetection, None);
        Assert.Equal([a1.Id, b2.Id], await List(a, EvidenceState.Stored));
        Assert.Equal([a1.Id, b2.Id], await List(b, EvidenceState.Stored));
        Assert.Equal([a2.Id], await Pending(a));
        Assert.Equal([b1.Id], await Pending(b));
        // Every state at once: the stored ones and this node's own spool (the others' files are not here to verify).
        Assert.Equal([a1.Id, a2.Id, b2.Id], await List(a, null));
        Assert.Equal([a1.Id, b1.Id, b2.Id], await List(b, null));
        // One case by its id is found wherever it waits; so is its case row and its message.
        Assert.Equal(EvidenceState.Spooled, (await b.Catalog.FindAsync(a2.Id, None))!.State);
        Assert.NotNull(await b.Cases.FindAsync(a1.Id, None));
        Assert.Equal([a1.Id, b2.Id], (await b.Outbox.DueAsync(T0.AddHours(2), 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Select(m => m.CaseId));
    }

    // ---------------------------------------------------------------- outbox

    [Fact]
    public Task A_cameras_cases_go_in_confirmation_order_waiting_for_an_older_case_still_uploading_up_to_order_wait_on_SQLite() => OrderScenario(Backend.Sqlite);

    [PostgresFact]
    public Task A_cameras_cases_go_in_confirmation_order_waiting_for_an_older_case_still_uploading_up_to_order_wait_on_PostgreSQL() => OrderScenario(Backend.Postgres);

    private async Task OrderScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var outbox = new Outbox(s.Database); // dispatch.order_wait: its default, 10 minutes
        // cam-a: the older case's evidence is still uploading (a full disk, the store down) when the newer one's is stored.
        var older = await AddAsync(s, Case("cam-a", 1, T0.AddMinutes(1)), store: false);
        var newer = await AddAsync(s, Case("cam-a", 2, T0.AddMinutes(2)), storedWith: ReleasePolicy.OnDetection);
        var other = await AddAsync(s, Case("cam-b", 3, T0.AddMinutes(3)), storedWith: ReleasePolicy.OnDetection);
        // cam-c: a case rejected while its evidence uploads holds nothing up: it will never be sent.
        var rejected = await AddAsync(s, Case("cam-c", 4, T0.AddMinutes(1)), store: false);
        await Review(s, rejected, CaseStatus.Rejected, ReleasePolicy.OnDetection, T0.AddMinutes(2));
        var c2 = await AddAsync(s, Case("cam-c", 5, T0.AddMinutes(2)), storedWith: ReleasePolicy.OnDetection);
        var now = T0.AddMinutes(5);

        async Task<OutboxMessage[]> Due(DateTimeOffset at, TimeSpan? claim = null) =>
            (await outbox.DueAsync(at, 10, new HashSet<string>(), None, claimFor: claim ?? TimeSpan.Zero)).ToArray();

        // The newer case of cam-a waits for the older one; the other cameras do not.
        Assert.Equal([c2.Id, other.Id], (await Due(now)).Select(m => m.CaseId));
        foreach (var m in await Due(now)) await outbox.MarkDeliveredAsync(m, now, 201, null, None);
        // Nothing else is due until the older case's wait ends (its confirmation + order_wait).
        Assert.Equal(T0.AddMinutes(11), await outbox.NextDueAsync(None));

        // Its evidence is stored: its message comes after the newer one's, yet it goes first.
        await s.Catalog.MarkStoredAsync(older.Id, now, ReleasePolicy.OnDetection, None);
        var first = Assert.Single(await Due(now));
        Assert.Equal((older.Id, (string?)null), (first.CaseId, first.AheadOf));
        await outbox.MarkDeliveredAsync(first, now, 201, null, None);
        Assert.Equal(newer.Id, Assert.Single(await Due(now)).CaseId);

        // cam-d: the older case's evidence is still not stored order_wait after its confirmation: the newer one goes on
        // and names the case it goes ahead of.
        var stuck = await AddAsync(s, Case("cam-d", 6, T0.AddMinutes(20)), store: false);
        var next = await AddAsync(s, Case("cam-d", 7, T0.AddMinutes(21)), storedWith: ReleasePolicy.OnDetection);
        var later = await AddAsync(s, Case("cam-d", 8, T0.AddMinutes(22)), storedWith: ReleasePolicy.OnDetection);
        Assert.DoesNotContain(await Due(T0.AddMinutes(30).AddSeconds(-1)), m => m.CameraId == "cam-d");
        var ahead = Assert.Single(await Due(T0.AddMinutes(30).AddSeconds(1), claim: TimeSpan.FromMinutes(1)), m => m.CameraId == "cam-d");
        Assert.Equal((next.Id, stuck.Id), (ahead.CaseId, ahead.AheadOf));

        // The stuck case is stored while the next one is in flight: it waits for that delivery (one per camera), then
        // goes before the later one.
        await s.Catalog.MarkStoredAsync(stuck.Id, T0.AddMinutes(31), ReleasePolicy.OnDetection, None);
        Assert.DoesNotContain(await Due(T0.AddMinutes(31)), m => m.CameraId == "cam-d");
        await outbox.MarkDeliveredAsync(ahead, T0.AddMinutes(31), 201, null, None);
        var late = Assert.Single(await Due(T0.AddMinutes(31)), m => m.CameraId == "cam-d");
        Assert.Equal(stuck.Id, late.CaseId);
        await outbox.MarkDeliveredAsync(late, T0.AddMinutes(31), 201, null, None);
        Assert.Equal(later.Id, Assert.Single(await Due(T0.AddMinutes(31)), m => m.CameraId == "cam-d").CaseId);
    }

    [Fact]
    public Task The_outbox_delivers_camera_heads_in_order_retries_gives_up_and_resends_on_SQLite() => OutboxScenario(Backend.Sqlite);

    [PostgresFact]
    public Task The_outbox_delivers_camera_heads_in_order_retries_gives_up_and_resends_on_PostgreSQL() => OutboxScenario(Backend.Postgres);

    private async Task OutboxScenario(Backend backend)
    {
        var s = await NewStoresAsync(backend);
        var a1 = await AddAsync(s, Case("cam-a", 1, T0.AddMinutes(1)), storedWith: ReleasePolicy.OnDetection);
        var a2 = await AddAsync(s, Case("cam-a", 2, T0.AddMinutes(2)), storedWith: ReleasePolicy.OnDetection);
        var b1 = await AddAsync(s, Case("cam-b", 3, T0.AddMinutes(3)), storedWith: ReleasePolicy.OnDetection);
        var c1 = await AddAsync(s, Case("cam-c", 4, T0.AddMinutes(4)), storedWith: ReleasePolicy.OnDetection);
        var unsent = await AddAsync(s, Case("cam-d", 5, T0.AddMinutes(5)), storedWith: ReleasePolicy.Never);
        var uploading = await AddAsync(s, Case("cam-d", 6, T0.AddMinutes(6)), store: false);
        var now = T0.AddHours(1);

        async Task<string[]> Due(DateTimeOffset at, int limit = 10, params string[] busy) =>
            (await s.Outbox.DueAsync(at, limit, busy.ToHashSet(), None, claimFor: TimeSpan.Zero)).Select(m => m.CaseId).ToArray();

        Assert.Equal([a1.Id, b1.Id, c1.Id], await Due(now));
        Assert.Equal([b1.Id, c1.Id], await Due(now, 10, "cam-a"));
        Assert.Equal([a1.Id], await Due(now, 1));
        Assert.Equal([c1.Id], await Due(now, 1, "cam-a", "cam-b"));
        Assert.Empty(await Due(T0));
        // The looks above claimed the heads until now (claims of no length): they are free again from now.
        Assert.Equal(now, await s.Outbox.NextDueAsync(None));

        var head = (await s.Outbox.DueAsync(now, 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero))[0];
        Assert.Equal((a1.Id, "cam-a", OutboxState.Pending, 0, T0.AddMinutes(1)), (head.CaseId, head.CameraId, head.State, head.Attempts, head.CreatedAt));
        await s.Outbox.RecordFailureAsync(head, now, 503, "the dispatch core answered 503", now.AddMinutes(1), None);
        Assert.Equal([b1.Id, c1.Id], await Due(now)); // a2 waits behind its camera's head
        Assert.Equal(now, await s.Outbox.NextDueAsync(None)); // b1 and c1, claimed by that look until now
        var retried = (await s.Outbox.DueAsync(now.AddMinutes(1), 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Single(m => m.CameraId == "cam-a");
        Assert.Equal((a1.Id, 1, (int?)503, "the dispatch core answered 503", (DateTimeOffset?)now), (retried.CaseId, retried.Attempts, retried.LastStatus, retried.LastError, retried.LastAttemptAt));

        await s.Outbox.MarkDeliveredAsync(retried, now.AddMinutes(1), 201, "{\"caseNo\":\"X-1\"}", None);
        var delivered = (await s.Outbox.FindByCaseAsync(a1.Id, None))!;
        Assert.Equal((OutboxState.Delivered, 2, (int?)201, (string?)null, (DateTimeOffset?)now.AddMinutes(1), "{\"caseNo\":\"X-1\"}"),
            (delivered.State, delivered.Attempts, delivered.LastStatus, delivered.LastError, delivered.DeliveredAt, delivered.Receipt));
        var dispatched = (await s.Cases.FindAsync(a1.Id, None))!;
        Assert.Equal((CaseStatus.Dispatched, now.AddMinutes(1), "vision", "{\"caseNo\":\"X-1\"}"), (dispatched.Status, dispatched.StatusAt, dispatched.StatusBy, dispatched.StatusNote));
        var last = (await s.Cases.HistoryAsync(a1.Id, None))[^1];
        Assert.Equal((CaseStatus.Dispatched, now.AddMinutes(1), "vision", "{\"caseNo\":\"X-1\"}"), (last.Status, last.At, last.Actor, last.Note));
        Assert.Equal([a2.Id, b1.Id, c1.Id], await Due(now.AddMinutes(1)));

        var b1Head = (await s.Outbox.DueAsync(now.AddMinutes(2), 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Single(m => m.CaseId == b1.Id);
        await s.Outbox.MarkDeadAsync(b1Head, now.AddMinutes(2), 422, "the dispatch core refused the record", None);
        await s.Outbox.RecordFailureAsync(b1Head, now.AddMinutes(3), 500, "not counted: the message is dead", now.AddMinutes(4), None);
        var dead = (await s.Outbox.FindByCaseAsync(b1.Id, None))!;
        Assert.Equal((OutboxState.Dead, 1, (int?)422, "the dispatch core refused the record"), (dead.State, dead.Attempts, dead.LastStatus, dead.LastError));
        Assert.Equal([a2.Id, c1.Id], await Due(now.AddMinutes(5)));
        Assert.Equal((2, 1, (DateTimeOffset?)T0.AddMinutes(2)), await s.Outbox.StatsAsync(None));
        Assert.Equal([b1.Id], (await s.Outbox.ListAsync(OutboxState.Dead, 10, None)).Select(m => m.CaseId));
        Assert.Equal([a1.Id], (await s.Outbox.ListAsync(OutboxState.Delivered, 10, None)).Select(m => m.CaseId));
        Assert.Equal([a2.Id, c1.Id], (await s.Outbox.ListAsync(OutboxState.Pending, 10, None)).Select(m => m.CaseId));

        var later = now.AddHours(1);
        Assert.True(await s.Outbox.ResendAsync(b1.Id, later, None));
        var resent = (await s.Outbox.FindByCaseAsync(b1.Id, None))!;
        Assert.Equal((OutboxState.Pending, 0, (string?)null, (int?)null, later), (resent.State, resent.Attempts, resent.LastError, resent.LastStatus, resent.NextAttemptAt));
        Assert.True(await s.Outbox.ResendAsync(unsent.Id, later, None)); // stored, never released: gets its first message
        Assert.False(await s.Outbox.ResendAsync(uploading.Id, later, None));
        Assert.False(await s.Outbox.ResendAsync("no-such-case", later, None));
        Assert.Equal([a2.Id, c1.Id, b1.Id, unsent.Id], await Due(later)); // by when due, then by release
        Assert.Equal((4, 0, (DateTimeOffset?)T0.AddMinutes(2)), await s.Outbox.StatsAsync(None));
        Assert.True(await s.Outbox.ResendAsync(a1.Id, later, None)); // delivered: sent again, the case stays dispatched
        Assert.Equal((OutboxState.Pending, (DateTimeOffset?)null), ((await s.Outbox.FindByCaseAsync(a1.Id, None))!.State, (await s.Outbox.FindByCaseAsync(a1.Id, None))!.DeliveredAt));
        Assert.Equal(CaseStatus.Dispatched, (await s.Cases.FindAsync(a1.Id, None))!.Status);
        Assert.Equal([c1.Id, a1.Id, b1.Id, unsent.Id], await Due(later)); // a1 heads its camera again
    }

    // ---------------------------------------------------------------- users and sessions

    [Fact]
    public Task User_names_are_case_insensitive_and_failures_lock_an_account_alike_on_SQLite() => UsersScenario(Backend.Sqlite);

    [PostgresFact]
    public Task User_names_are_case_insensitive_and_failures_lock_an_account_alike_on_PostgreSQL() => UsersScenario(Backend.Postgres);

    private async Task UsersScenario(Backend backend)
    {
        var users = new UserStore(await NewDatabaseAsync(backend));
        ConsoleAccount Account(string name, ConsoleRole role) => new(name, "名字 " + name, role, "AQAAAAIAAYagAAAAE" + name, 0, null, T0);

        Assert.True(await users.AddAsync(Account("Officer1", ConsoleRole.Officer), Setup, None));
        Assert.False(await users.AddAsync(Account("officer1", ConsoleRole.Admin), Setup, None));
        Assert.False(await users.AddAsync(Account("OFFICER1", ConsoleRole.Admin), Setup, None));
        Assert.True(await users.AddAsync(Account("admin", ConsoleRole.Admin), Setup, None));
        Assert.True(await users.AddAsync(Account("Bob", ConsoleRole.Engineer), Setup, None));

        foreach (var typed in new[] { "Officer1", "officer1", "OFFICER1", "oFFiCER1" })
            Assert.Equal(Account("Officer1", ConsoleRole.Officer), await users.FindAsync(typed, None));
        Assert.Null(await users.FindAsync("officer", None));
        Assert.Equal(["admin", "Bob", "Officer1"], (await users.ListAsync(None)).Select(u => u.Username));

        var lockUntil = T0.AddMinutes(15);
        await users.RecordFailureAsync("officer1", 3, T0, lockUntil, None);
        await users.RecordFailureAsync("OFFICER1", 3, T0.AddSeconds(1), lockUntil, None);
        Assert.Equal((2, (DateTimeOffset?)null), await State("Officer1"));
        await users.RecordFailureAsync("Officer1", 3, T0.AddSeconds(2), lockUntil, None);
        Assert.Equal((3, (DateTimeOffset?)lockUntil), await State("officer1"));
        // Failures during the lock are counted but do not extend it.
        for (int i = 0; i < 3; i++) await users.RecordFailureAsync("officer1", 3, T0.AddMinutes(1 + i), T0.AddMinutes(20 + i), None);
        Assert.Equal((6, (DateTimeOffset?)lockUntil), await State("Officer1"));
        // Once it ran out, the next multiple locks again.
        var relock = T0.AddHours(1);
        for (int i = 0; i < 3; i++) await users.RecordFailureAsync("officer1", 3, T0.AddMinutes(30 + i), relock, None);
        Assert.Equal((9, (DateTimeOffset?)relock), await State("Officer1"));
        Assert.Equal((0, (DateTimeOffset?)null), await State("admin"));

        await users.RecordSuccessAsync("OFFICER1", None);
        Assert.Equal((0, (DateTimeOffset?)null), await State("Officer1"));
        await users.SetPasswordHashAsync("officer1", "AQAAAAIAAYagAAAAEnew", None);
        Assert.Equal("AQAAAAIAAYagAAAAEnew", (await users.FindAsync("Officer1", None))!.PasswordHash);
        await users.RecordFailureAsync("nobody", 3, T0, lockUntil, None);
        Assert.Equal(3, (await users.ListAsync(None)).Count);

        async Task<(int, DateTimeOffset?)> State(string name) => await users.FindAsync(name, None) is { } u ? (u.FailedSignIns, u.LockedUntil) : throw new InvalidOperationException($"no user {name}");
    }

    [Fact]
    public Task Sessions_are_found_touched_forwards_only_revoked_and_remember_addresses_by_any_case_of_the_name_on_SQLite() => SessionsScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Sessions_are_found_touched_forwards_only_revoked_and_remember_addresses_by_any_case_of_the_name_on_PostgreSQL() => SessionsScenario(Backend.Postgres);

    private async Task SessionsScenario(Backend backend)
    {
        var db = await NewDatabaseAsync(backend);
        var users = new UserStore(db);
        var sessions = new SessionStore(db);
        Assert.True(await users.AddAsync(new ConsoleAccount("Officer1", "张警官", ConsoleRole.Officer, "hash", 0, null, T0), Setup, None));
        Assert.True(await users.AddAsync(new ConsoleAccount("admin", "管理员", ConsoleRole.Admin, "hash", 0, null, T0), Setup, None));
        await sessions.CreateAsync("session-1", "Officer1", "10.0.0.5", T0, None);
        await sessions.CreateAsync("session-2", "admin", null, T0.AddMinutes(1), None);
        var always = T0.AddYears(-1);

        Assert.Equal(new ConsoleSession("Officer1", "张警官", ConsoleRole.Officer, "10.0.0.5", T0, T0), await sessions.FindActiveAsync("session-1", T0, always, None));
        Assert.Equal(new ConsoleSession("admin", "管理员", ConsoleRole.Admin, null, T0.AddMinutes(1), T0.AddMinutes(1)), await sessions.FindActiveAsync("session-2", T0, always, None));
        Assert.Null(await sessions.FindActiveAsync("session-1", T0.AddMilliseconds(1), always, None)); // idle since before
        Assert.Null(await sessions.FindActiveAsync("session-3", T0.AddDays(-1), always, None));

        await sessions.TouchAsync("session-1", T0.AddMinutes(10), None);
        await sessions.TouchAsync("session-1", T0.AddMinutes(5), None); // a slower request finishing late
        Assert.Equal(T0.AddMinutes(10), (await sessions.FindActiveAsync("session-1", T0.AddMinutes(10), always, None))?.SeenAt);
        // However recently used, a session ends at its absolute lifetime: it began before T0 + 1 ms.
        Assert.Null(await sessions.FindActiveAsync("session-1", T0, T0.AddMilliseconds(1), None));
        Assert.Equal(["session-2"], await sessions.ActiveAmongAsync(["session-1", "session-2", "session-9"], T0, T0.AddMilliseconds(1), None));
        Assert.Equal(new Dictionary<string, int> { ["Officer1"] = 1, ["admin"] = 1 }, await sessions.CountActiveAsync(T0, always, None));

        foreach (var typed in new[] { "Officer1", "officer1", "OFFICER1" })
            Assert.True(await sessions.SignedInFromAsync(typed, "10.0.0.5", T0.AddDays(-1), None));
        Assert.False(await sessions.SignedInFromAsync("officer1", "10.0.0.6", T0.AddDays(-1), None));
        Assert.False(await sessions.SignedInFromAsync("officer1", "10.0.0.5", T0.AddSeconds(1), None));
        Assert.False(await sessions.SignedInFromAsync("admin", "10.0.0.5", T0.AddDays(-1), None));

        await sessions.RevokeAsync("session-1", T0.AddMinutes(20), None);
        await sessions.RevokeAsync("session-1", T0.AddMinutes(30), None);
        Assert.Null(await sessions.FindActiveAsync("session-1", T0, always, None));
        Assert.True(await sessions.SignedInFromAsync("OFFICER1", "10.0.0.5", T0.AddDays(-1), None)); // ended sessions still tell the address
        Assert.Equal("admin", (await sessions.FindActiveAsync("session-2", T0, always, None))?.Username);

        // A sign-in past the retention drops sessions unused since; a session whose name differs in case still finds its account.
        var month = T0.AddMinutes(10) + SessionStore.Retention + TimeSpan.FromMinutes(1);
        await sessions.CreateAsync("session-3", "officer1", "10.0.0.7", month, None);
        Assert.False(await sessions.SignedInFromAsync("Officer1", "10.0.0.5", T0.AddDays(-1), None));
        Assert.True(await sessions.SignedInFromAsync("Officer1", "10.0.0.7", T0.AddDays(-1), None));
        Assert.Equal("Officer1", (await sessions.FindActiveAsync("session-3", month, always, None))?.Username);
    }

    [Fact]
    public Task Accounts_are_disabled_re_roled_reset_and_deleted_with_their_sessions_ended_audited_and_one_admin_kept_on_SQLite() => AccountLifecycleScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Accounts_are_disabled_re_roled_reset_and_deleted_with_their_sessions_ended_audited_and_one_admin_kept_on_PostgreSQL() => AccountLifecycleScenario(Backend.Postgres);

    private async Task AccountLifecycleScenario(Backend backend)
    {
        var db = await NewDatabaseAsync(backend);
        var users = new UserStore(db);
        var sessions = new SessionStore(db);
        var audit = new AccountChangeLog(db);
        var always = T0.AddYears(-1);
        var boss = new AccountActor("boss", "192.0.2.1", T0.AddMinutes(1));
        AccountActor At(int minute) => boss with { At = T0.AddMinutes(minute) };
        foreach (var (name, role) in new[] { ("boss", ConsoleRole.Admin), ("Zhang", ConsoleRole.Officer), ("li", ConsoleRole.Engineer) })
            Assert.True(await users.AddAsync(new ConsoleAccount(name, name, role, "hash-" + name, 0, null, T0), Setup, None));
        await sessions.CreateAsync("zhang-desk", "Zhang", "10.0.0.5", T0, None);
        await sessions.CreateAsync("zhang-phone", "Zhang", "10.0.0.6", T0, None);
        await sessions.CreateAsync("li-desk", "li", "10.0.0.7", T0, None);
        await sessions.CreateAsync("boss-desk", "boss", "192.0.2.1", T0, None);
        Task<ConsoleSession?> Find(string id) => sessions.FindActiveAsync(id, T0, always, None);

        // A new role counts at the session's next lookup; it does not end the session.
        Assert.Equal(AccountChangeResult.Done, await users.SetRoleAsync("ZHANG", ConsoleRole.Engineer, At(1), None));
        Assert.Equal(ConsoleRole.Engineer, (await Find("zhang-desk"))?.Role);

        // Disabled: no session counts, and enabling again does not revive them (they were ended).
        Assert.Equal(AccountChangeResult.Done, await users.SetDisabledAsync("zhang", disabled: true, At(2), None));
        Assert.Equal(T0.AddMinutes(2), (await users.FindAsync("Zhang", None))?.DisabledAt);
        Assert.Equal(["boss-desk", "li-desk"], (await sessions.ActiveAmongAsync(["zhang-desk", "zhang-phone", "li-desk", "boss-desk"], T0, always, None)).Order(StringComparer.Ordinal));
        Assert.Equal(AccountChangeResult.Done, await users.SetDisabledAsync("zhang", disabled: false, At(3), None));
        Assert.Null((await users.FindAsync("Zhang", None))?.DisabledAt);
        Assert.Null(await Find("zhang-desk"));
        Assert.Null(await Find("zhang-phone"));

        // A password change keeps the session it is made from and ends the others; it clears the lock-out.
        await sessions.CreateAsync("zhang-new", "Zhang", "10.0.0.5", T0.AddMinutes(4), None);
        await sessions.CreateAsync("zhang-other", "Zhang", "10.0.0.8", T0.AddMinutes(4), None);
        await users.RecordFailureAsync("zhang", 1, T0.AddMinutes(4), T0.AddMinutes(20), None);
        Assert.Equal(AccountChangeResult.Done, await users.SetPasswordAsync("Zhang", "hash-new", AccountAction.PasswordChanged, "zhang-new", At(5) with { Actor = "Zhang" }, None));
        var changed = await users.FindAsync("zhang", None);
        Assert.Equal(("hash-new", 0, (DateTimeOffset?)null), (changed?.PasswordHash, changed?.FailedSignIns, changed?.LockedUntil));
        Assert.NotNull(await Find("zhang-new"));
        Assert.Null(await Find("zhang-other"));

        Assert.Equal(AccountChangeResult.Done, await users.EndSessionsAsync("LI", At(6), None));
        Assert.Null(await Find("li-desk"));

        // The last enabled admin is neither disabled, deleted nor demoted; with a second one, one of them can be.
        Assert.Equal(AccountChangeResult.LastAdmin, await users.SetDisabledAsync("boss", disabled: true, At(7), None));
        Assert.Equal(AccountChangeResult.LastAdmin, await users.DeleteAsync("boss", At(7), None));
        Assert.Equal(AccountChangeResult.LastAdmin, await users.SetRoleAsync("boss", ConsoleRole.Engineer, At(7), None));
        Assert.Equal(AccountChangeResult.Done, await users.SetRoleAsync("boss", ConsoleRole.Admin, At(7), None)); // no change, allowed
        Assert.Equal(AccountChangeResult.Done, await users.SetRoleAsync("li", ConsoleRole.Admin, At(8), None));
        // Two admins disabling each other at once: one wins, the other is refused, one admin is left.
        var both = await Task.WhenAll(
            Task.Run(() => users.SetDisabledAsync("boss", disabled: true, At(9), None)),
            Task.Run(() => users.SetDisabledAsync("li", disabled: true, At(9), None)));
        Assert.Equal([AccountChangeResult.Done, AccountChangeResult.LastAdmin], both.Order());
        Assert.Single(await users.ListAsync(None), u => u.Role == ConsoleRole.Admin && u.DisabledAt is null);
        string loser = both[0] == AccountChangeResult.Done ? "boss" : "li";
        Assert.NotNull((await users.FindAsync(loser, None))?.DisabledAt);
        Assert.Equal(AccountChangeResult.Done, await users.SetDisabledAsync(loser, disabled: false, At(10), None));
        Assert.Equal(AccountChangeResult.NoSuchUser, await users.SetDisabledAsync("nobody", disabled: true, At(10), None));
        Assert.Equal(AccountChangeResult.NoSuchUser, await users.EndSessionsAsync("nobody", At(10), None));

        // Deleted: gone, its sessions ended; an account made again under the name does not inherit them.
        Assert.Equal(AccountChangeResult.Done, await users.DeleteAsync("zhang", At(11), None));
        Assert.Null(await users.FindAsync("Zhang", None));
        Assert.True(await users.AddAsync(new ConsoleAccount("zhang", "zhang", ConsoleRole.Admin, "hash", 0, null, T0.AddMinutes(12)), At(12), None));
        Assert.Null(await Find("zhang-new"));

        // The audit keeps every change with who, when, from where, the name as text, newest first.
        var zhang = await audit.LatestAsync("ZHANG", 100, None);
        Assert.Equal(["added", "deleted", "password_changed", "enabled", "disabled", "role_changed", "added"], zhang.Select(c => c.Action));
        Assert.Equal(("boss", "192.0.2.1", T0.AddMinutes(11), "Zhang"), (zhang[1].Actor, zhang[1].Address, zhang[1].At, zhang[1].Username));
        Assert.Equal(("Zhang", "officer → engineer"), (zhang[2].Actor, zhang[5].Detail));
        Assert.Equal(("cli:root", (string?)null, "officer"), (zhang[6].Actor, zhang[6].Address, zhang[6].Detail));
        var li = await audit.LatestAsync("li", 100, None);
        Assert.Equal(("sessions_ended", "1"), (li.Single(c => c.Action == "sessions_ended").Action, li.Single(c => c.Action == "sessions_ended").Detail));
        Assert.Equal(3, (await audit.LatestAsync(null, 3, None)).Count);
    }

    // ---------------------------------------------------------------- order of text, week labels

    [Fact]
    public Task Text_sorts_by_its_characters_codes_on_SQLite() => TextOrderScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Text_sorts_by_its_characters_codes_on_PostgreSQL() => TextOrderScenario(Backend.Postgres);

    [PostgresFact]
    public Task Text_sorts_by_its_characters_codes_on_PostgreSQL_whose_default_collation_is_english() => TextOrderScenario(Backend.PostgresEnglishCollation);

    private async Task TextOrderScenario(Backend backend)
    {
        // '-' (0x2D) sorts before '_' (0x5F) and 'C' before 'c' by code, the other way round in English.
        var s = await NewStoresAsync(backend);
        var dash = await AddAsync(s, Case("cam-1", 1, T0), store: false);
        var underscore = await AddAsync(s, Case("cam_1", 2, T0), store: false);
        var upper = await AddAsync(s, Case("Cam_1", 3, T0), store: false);
        string[] byCode = [upper.Id, dash.Id, underscore.Id];

        Assert.Equal(byCode.Reverse(), (await s.Cases.ListAsync(new CaseQuery(), None)).Select(c => c.CaseId));
        Assert.Equal(byCode, (await s.Catalog.ListAsync(EvidenceState.Spooled, None)).Select(e => e.Case.CaseId));
        Assert.Equal(byCode, (await s.Catalog.PendingAsync(10, new HashSet<string>(), None)).Select(c => c.CaseId));
        Assert.Equal(["Cam_1", "cam-1", "cam_1"], (await s.Cases.RuleStatsAsync(T0.AddDays(-1), perWeek: false, None)).Select(r => r.CameraId));

        var users = new UserStore(s.Database);
        foreach (var name in new[] { "officer_a", "Officer-b", "officer-a" })
            Assert.True(await users.AddAsync(new ConsoleAccount(name, name, ConsoleRole.Officer, "hash", 0, null, T0), Setup, None));
        Assert.Equal(["officer-a", "Officer-b", "officer_a"], (await users.ListAsync(None)).Select(u => u.Username));
    }

    [PostgresFact]
    public async Task Week_labels_are_the_same_on_both_backends_for_every_day_from_2020_to_2031()
    {
        var sqlite = await NewDatabaseAsync(Backend.Sqlite);
        var postgres = await NewDatabaseAsync(Backend.Postgres);
        var instants = new List<long>();
        for (var day = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero); day.Year < 2031; day = day.AddDays(1))
        {
            instants.Add(day.ToUnixTimeMilliseconds());
            instants.Add(day.AddDays(1).ToUnixTimeMilliseconds() - 1);
        }
        var expected = instants.Select(ms => SqliteWeek(DateTimeOffset.FromUnixTimeMilliseconds(ms))).ToList();

        Assert.Equal(expected, await WeeksAsync(sqlite, instants));
        Assert.Equal(expected, await WeeksAsync(postgres, instants));

        // SQLite's %W: weeks start on Monday, the days before a year's first Monday are its week 00.
        static string SqliteWeek(DateTimeOffset t) =>
            System.FormattableString.Invariant($"{t.Year:D4}-W{(t.DayOfYear - 1 + 7 - ((int)t.DayOfWeek + 6) % 7) / 7:D2}");
    }

    private static async Task<List<string>> WeeksAsync(CaseDatabase db, IReadOnlyList<long> instants)
    {
        await using var connection = db.Open();
        await Execute(connection, "CREATE TEMP TABLE instants (ms bigint NOT NULL)");
        foreach (var chunk in instants.Chunk(400))
            await Execute(connection, "INSERT INTO instants (ms) VALUES " + string.Join(", ", chunk.Select(ms => System.FormattableString.Invariant($"({ms})"))));
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {db.Dialect.WeekOfMs("ms")} FROM instants ORDER BY ms";
        var weeks = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) weeks.Add(reader.GetString(0));
        return weeks;
    }

    // ---------------------------------------------------------------- migration

    [PostgresFact]
    public async Task Three_nodes_migrating_one_fresh_PostgreSQL_database_at_once_all_succeed_at_the_current_schema_version()
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync(NewDatabaseName());
        var nodes = Enumerable.Range(0, 3).Select(i => Track(new PostgresCaseDatabase(connectionString) { SpoolOwner = $"node-{i}" })).ToArray();
        using var start = new Barrier(nodes.Length);
        var migrations = nodes.Select(node => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return node.Migrate();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var migrated = await Task.WhenAll(migrations).WaitAsync(Wait);
        Assert.Equal(nodes, migrated);

        await using (var connection = nodes[0].Open())
        {
            Assert.Equal([(long)PostgresCaseDatabase.SchemaVersion], await Column(connection, "SELECT version FROM vision_schema"));
            Assert.Equal(1L, await Scalar(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'cases'"));
        }
        nodes[1].Migrate(); // again: nothing to do
        var s = StoresOn(nodes[2]);
        var c = await AddAsync(s, Case("cam-1", 1, T0), storedWith: ReleasePolicy.OnDetection);
        Assert.Equal(c.Id, (await new CaseStore(nodes[0]).FindAsync(c.Id, None))?.CaseId);
    }

    [Fact]
    public Task Config_changes_are_audited_and_listed_newest_first_per_camera_on_SQLite() => ConfigChangesScenario(Backend.Sqlite);

    [PostgresFact]
    public Task Config_changes_are_audited_and_listed_newest_first_per_camera_on_PostgreSQL() => ConfigChangesScenario(Backend.Postgres);

    private async Task ConfigChangesScenario(Backend backend)
    {
        var log = new ConfigChangeLog(await NewDatabaseAsync(backend));
        for (int i = 0; i < 3; i++)
            await log.AddAsync(new ConfigChange(0, T0.AddMinutes(i), "li", "192.0.2.7", "cam-1", "zones/cam-1.yaml", $"[{i}]", $"[{i + 1}]"), None);
        await log.AddAsync(new ConfigChange(0, T0.AddMinutes(5), "wang", null, "cam-2", "zones/cam-2.yaml", "[]", "[]"), None);

        var latest = await log.LatestAsync("cam-1", 2, None);

        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1)], latest.Select(c => c.ChangedAt));
        Assert.All(latest, c => Assert.Equal(("li", "192.0.2.7", "cam-1", "zones/cam-1.yaml"), (c.Username, c.Address, c.CameraId, c.File)));
        Assert.Equal(("[2]", "[3]"), (latest[0].BeforeJson, latest[0].AfterJson));
        Assert.Null(Assert.Single(await log.LatestAsync("cam-2", 10, None)).Address);
    }

    [Fact]
    public Task An_outbox_from_before_messages_kept_their_cases_confirmation_time_is_upgraded_and_goes_in_confirmation_order_on_SQLite() => OrderUpgradeScenario(Backend.Sqlite);

    [PostgresFact]
    public Task An_outbox_from_before_messages_kept_their_cases_confirmation_time_is_upgraded_and_goes_in_confirmation_order_on_PostgreSQL() => OrderUpgradeScenario(Backend.Postgres);

    private async Task OrderUpgradeScenario(Backend backend)
    {
        string location = await NewLocationAsync(backend);
        var s = StoresOn(Open(backend, location));
        var newer = await AddAsync(s, Case("cam-a", 1, T0.AddMinutes(2)), storedWith: ReleasePolicy.OnDetection);
        var older = await AddAsync(s, Case("cam-a", 2, T0.AddMinutes(1)), storedWith: ReleasePolicy.OnDetection);
        var dead = await AddAsync(s, Case("cam-b", 3, T0.AddMinutes(3)), storedWith: ReleasePolicy.OnDetection);
        await s.Outbox.MarkDeadAsync((await s.Outbox.FindByCaseAsync(dead.Id, None))!, T0.AddMinutes(4), 400, "refused", None);
        // Back to the schema before this change: no confirmation time on the messages.
        int before = (backend == Backend.Sqlite ? SqliteCaseDatabase.SchemaVersion : PostgresCaseDatabase.SchemaVersion) - 1;
        await using (var connection = s.Database.Open())
        {
            await Execute(connection, "DROP INDEX ix_outbox_camera_order");
            await Execute(connection, "DROP INDEX ix_outbox_camera_claims");
            await Execute(connection, "ALTER TABLE outbox DROP COLUMN confirmed_at_ms");
            await Execute(connection, backend == Backend.Sqlite ? $"PRAGMA user_version = {before}" : $"UPDATE vision_schema SET version = {before}");
        }

        var upgraded = StoresOn(Open(backend, location));

        var now = T0.AddHours(1);
        var head = Assert.Single(await upgraded.Outbox.DueAsync(now, 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero));
        Assert.Equal(older.Id, head.CaseId);
        await upgraded.Outbox.MarkDeliveredAsync(head, now, 201, null, None);
        Assert.True(await upgraded.Outbox.ResendAsync(dead.Id, now, None));
        Assert.Equal([newer.Id, dead.Id], (await upgraded.Outbox.DueAsync(now, 10, new HashSet<string>(), None, claimFor: TimeSpan.Zero)).Select(m => m.CaseId));
    }

    [Fact]
    public Task A_database_from_a_newer_Vision_is_refused_with_what_to_do_on_SQLite() => NewerSchemaScenario(Backend.Sqlite);

    [PostgresFact]
    public Task A_database_from_a_newer_Vision_is_refused_with_what_to_do_on_PostgreSQL() => NewerSchemaScenario(Backend.Postgres);

    private async Task NewerSchemaScenario(Backend backend)
    {
        string location = await NewLocationAsync(backend);
        var db = Open(backend, location);
        int newer = (backend == Backend.Sqlite ? SqliteCaseDatabase.SchemaVersion : PostgresCaseDatabase.SchemaVersion) + 1;
        await using (var connection = db.Open())
            await Execute(connection, backend == Backend.Sqlite ? $"PRAGMA user_version = {newer}" : $"UPDATE vision_schema SET version = {newer}");

        var refused = Assert.Throws<InvalidOperationException>(() => Open(backend, location));
        Assert.Contains($"has schema version {newer}, newer than this Vision knows ({newer - 1})", refused.Message, StringComparison.Ordinal);
        Assert.Contains("run the newer Vision", refused.Message, StringComparison.Ordinal);
        Assert.Contains(db.Description, refused.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public void A_bad_PostgreSQL_connection_string_is_refused_naming_the_fault_but_never_the_password()
    {
        const string secret = "hunter2-Secret";
        var misspelt = Assert.Throws<InvalidOperationException>(() => new PostgresCaseDatabase($"Host=127.0.0.1;Usernme=vision;Password={secret};Database=vision"));
        Assert.Contains("connection string is not valid", misspelt.Message, StringComparison.Ordinal);
        // The unknown keyword is not quoted: in an unquoted password holding ';' it would be a piece of the password.
        Assert.DoesNotContain("usernme", misspelt.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Username=", misspelt.Message, StringComparison.Ordinal);
        var split = Assert.Throws<InvalidOperationException>(() => new PostgresCaseDatabase("Host=127.0.0.1;Username=vision;Password=ab;cd=ef;Database=vision"));
        Assert.DoesNotContain("cd", split.Message.Replace("code", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, misspelt.Message, StringComparison.Ordinal);

        var noHost = Assert.Throws<InvalidOperationException>(() => new PostgresCaseDatabase($"Username=vision;Password={secret};Database=vision"));
        Assert.Contains("has no Host", noHost.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, noHost.Message, StringComparison.Ordinal);

        var badPort = Assert.Throws<InvalidOperationException>(() => new PostgresCaseDatabase($"Host=127.0.0.1;Port=fivefour;Password={secret}"));
        Assert.DoesNotContain(secret, badPort.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_wrong_password_stops_the_start_and_an_unreachable_server_is_waited_for_each_with_a_message_that_holds_no_password()
    {
        const string secret = "hunter2-Secret";
        string database = NewDatabaseName();
        await postgres.Server.CreateDatabaseAsync(database);

        var wrongPassword = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { Database = database, Password = secret }.ConnectionString;
        var refused = Assert.Throws<UsageException>(() => CaseDatabaseOpener.Open(ConfigWith(wrongPassword)));
        Assert.Contains("password authentication failed", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{database}' on 127.0.0.1:{postgres.Server.Port}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, refused.Message, StringComparison.Ordinal);

        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        // Not up (yet): vision run waits for it rather than exit, saying so at every try.
        var unreachable = ConfigWith($"Host=127.0.0.1;Port={closedPort};Username=vision;Password={secret};Database=vision;Timeout=5");
        var nobody = Assert.Throws<CaseDatabaseUnavailableException>(() => CaseDatabaseOpener.Open(unreachable));
        Assert.Contains($"127.0.0.1:{closedPort}", nobody.Message, StringComparison.Ordinal);
        Assert.Contains("does not answer", nobody.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, nobody.Message, StringComparison.Ordinal);
        var said = new StringWriter();
        using (var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(4)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CaseDatabaseOpener.OpenWaitingAsync(unreachable, said, TimeProvider.System, giveUp.Token));
        Assert.Contains("waiting for it", said.ToString(), StringComparison.Ordinal);
        Assert.True(said.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, said.ToString());
        Assert.DoesNotContain(secret, said.ToString(), StringComparison.Ordinal);

        var misspelt = Assert.Throws<UsageException>(() => CaseDatabaseOpener.Open(ConfigWith($"Host=127.0.0.1;Pasword={secret}")));
        Assert.DoesNotContain(secret, misspelt.Message, StringComparison.Ordinal);
        Assert.Contains("connection string", misspelt.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- helpers

    private VisionConfig ConfigWith(string connectionString)
    {
        string file = Path.Combine(_spool, $"connection-{Guid.NewGuid():N}");
        File.WriteAllText(file, connectionString);
        return VisionConfigLoader.Parse($$"""
            detector:
              model: yolox_nano
            evidence:
              directory: {{Path.Combine(_spool, "evidence")}}
            database:
              backend: postgres
              connection_string_file: {{file}}
            cameras:
              - id: cam-01
                name: 人民路口东
                zones:
                  - id: kerb
                    polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
                rules:
                  - { id: parking, type: illegal_parking, zones: [kerb] }
            """, "vision.yaml");
    }

    private static string NewDatabaseName() => "parity_" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>A fresh, empty place for a database: a file path (SQLite) or a new database's connection string (PostgreSQL).</summary>
    private async Task<string> NewLocationAsync(Backend backend) => backend switch
    {
        Backend.Sqlite => Path.Combine(Directory.CreateDirectory(Path.Combine(_spool, "db-" + Guid.NewGuid().ToString("N")[..8])).FullName, SqliteCaseDatabase.FileName),
        Backend.Postgres => await postgres.Server.CreateDatabaseAsync(NewDatabaseName()),
        _ => await CreateEnglishDatabaseAsync(),
    };

    private async Task<string> CreateEnglishDatabaseAsync()
    {
        string name = NewDatabaseName();
        var builder = new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await Execute(connection, $"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
            Assert.Equal("en-US", await Scalar(connection, $"SELECT daticulocale FROM pg_database WHERE datname = '{name}'"));
        }
        return new NpgsqlConnectionStringBuilder(postgres.Server.ConnectionString) { Database = name }.ConnectionString;
    }

    private CaseDatabase Open(Backend backend, string location, string spoolOwner = "local") => backend == Backend.Sqlite
        ? new SqliteCaseDatabase(location) { SpoolOwner = spoolOwner }.Migrate()
        : Track(new PostgresCaseDatabase(location) { SpoolOwner = spoolOwner }).Migrate();

    private PostgresCaseDatabase Track(PostgresCaseDatabase db)
    {
        _opened.Add(db);
        return db;
    }

    private async Task<CaseDatabase> NewDatabaseAsync(Backend backend) => Open(backend, await NewLocationAsync(backend));

    private async Task<StoreSet> NewStoresAsync(Backend backend) => StoresOn(await NewDatabaseAsync(backend));

    private static StoreSet StoresOn(CaseDatabase db) => new(db, new CaseStore(db), new EvidenceCatalog(db), new Outbox(db));

    private TestCase Case(string camera, int index, DateTimeOffset confirmedAt, string violation = "illegal_parking", string? plate = null, string? zone = null)
    {
        var written = SyntheticCases.Write(_spool, camera, index, confirmedAt, clipBytes: 1000, violation);
        var record = written.Record;
        if (plate is not null) record = record with { Plate = new CasePlate(plate, 0.97, new PixelBox(40, 60, 90, 28), "x/photo-3-original.jpg", [], null) };
        if (zone is not null) record = record with { ZoneId = zone };
        return new TestCase(NewCase.Of(record), written.Spooled);
    }

    /// <summary>Adds the case as the spool does; its evidence is then stored (releasing it under <paramref name="storedWith"/>) unless <paramref name="store"/> is false.</summary>
    private static async Task<TestCase> AddAsync(StoreSet s, TestCase c, ReleasePolicy storedWith = ReleasePolicy.Never, bool store = true)
    {
        await s.Cases.AddAsync(c.New, c.Spooled, T0, None);
        if (store) await s.Catalog.MarkStoredAsync(c.Id, c.New.ConfirmedAt, storedWith, None);
        return c;
    }

    private static Task<bool> Review(StoreSet s, TestCase c, CaseStatus status, ReleasePolicy policy, DateTimeOffset at) =>
        s.Cases.ReviewAsync(c.Id, status, new CaseHistoryEntry(status, at, "officer-7", status == CaseStatus.Rejected ? "false_detection" : null, null, null), policy, None);

    private static async Task WaitForLockWaitersAsync(CaseDatabase db, int waiters, Task[] running)
    {
        await using var connection = db.Open();
        await Eventually.HoldsAsync(async () =>
        {
            var waiting = (long)(await Scalar(connection, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"))!;
            if (waiting < waiters && running.FirstOrDefault(t => t.IsCompleted) is { } done)
                throw new InvalidOperationException($"a decision finished before the row was let go ({done.Status}); it should have waited on the row lock", done.Exception);
            return waiting;
        }, waiting => waiting >= waiters, Wait, $"{waiters} decisions waiting on the case's row lock", TimeSpan.FromMilliseconds(20));
    }

    private static async Task Execute(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<long>> Column(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync()) values.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return values;
    }
}
