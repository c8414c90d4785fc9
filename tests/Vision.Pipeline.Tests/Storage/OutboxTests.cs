using Vision.Pipeline.Evidence;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>The case store and the transactional outbox in SQLite: release rules, order per camera, dead letters, resend.</summary>
public sealed class OutboxTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private sealed record Setup(string Spool, CaseStore Cases, EvidenceCatalog Catalog, Outbox Outbox);

    private static Setup NewSetup()
    {
        string spool = Directory.CreateTempSubdirectory("vision-outbox-").FullName;
        var db = new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate();
        return new Setup(spool, new CaseStore(db), new EvidenceCatalog(db), new Outbox(db));
    }

    private static async Task<WrittenCase> AddAsync(Setup s, string camera, int index, ReleasePolicy storedWith = ReleasePolicy.Never, bool store = true)
    {
        var c = SyntheticCases.Write(s.Spool, camera, index, T0.AddMinutes(index));
        await s.Cases.AddAsync(NewCase.Of(c.Record), c.Spooled, T0, CancellationToken.None);
        if (store) await s.Catalog.MarkStoredAsync(c.Spooled.CaseId, T0.AddMinutes(index), storedWith, CancellationToken.None);
        return c;
    }

    // Claims that lapse at once: these tests look at which heads are due, not at who holds them.
    private static Task<IReadOnlyList<OutboxMessage>> DueAsync(Setup s, DateTimeOffset at, params string[] busy) =>
        s.Outbox.DueAsync(at, 10, busy.ToHashSet(), CancellationToken.None, claimFor: TimeSpan.Zero);

    [Fact]
    public async Task A_confirmed_case_rejected_before_delivery_is_withdrawn_and_cannot_be_resent()
    {
        var s = NewSetup();
        var c = await AddAsync(s, "cam-1", 1, ReleasePolicy.AfterReview);
        var officer = new CaseHistoryEntry(CaseStatus.Confirmed, T0.AddHours(1), "officer-7", null, null, "10.0.0.5");
        await s.Cases.ReviewAsync(c.Spooled.CaseId, CaseStatus.Confirmed, officer, ReleasePolicy.AfterReview, CancellationToken.None);
        Assert.Equal(OutboxState.Pending, (await s.Outbox.FindByCaseAsync(c.Spooled.CaseId, CancellationToken.None))!.State);

        await s.Cases.ReviewAsync(c.Spooled.CaseId, CaseStatus.Rejected, officer with { Status = CaseStatus.Rejected, Reason = "false_detection", At = T0.AddHours(2) },
            ReleasePolicy.AfterReview, CancellationToken.None);
        Assert.Null(await s.Outbox.FindByCaseAsync(c.Spooled.CaseId, CancellationToken.None));
        Assert.Empty(await DueAsync(s, T0.AddHours(3)));
        Assert.False(await s.Outbox.ResendAsync(c.Spooled.CaseId, T0.AddHours(3), CancellationToken.None));
        Assert.Equal(CaseStatus.Rejected, (await s.Cases.FindAsync(c.Spooled.CaseId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_claimed_head_is_no_other_nodes_until_its_claim_lapses_and_a_lapsed_claimer_cannot_mark_it()
    {
        var s = NewSetup();
        var a1 = await AddAsync(s, "cam-a", 1, ReleasePolicy.OnDetection);
        var a2 = await AddAsync(s, "cam-a", 2, ReleasePolicy.OnDetection);
        var nodeB = new Outbox(new SqliteCaseDatabase(((SqliteCaseDatabase)s.Cases.Database).Path) { SpoolOwner = "node-b" });
        var now = T0.AddHours(1);
        var none = new HashSet<string>();

        var claimedByA = Assert.Single(await s.Outbox.DueAsync(now, 10, none, CancellationToken.None, TimeSpan.FromSeconds(30)));
        Assert.Equal(a1.Spooled.CaseId, claimedByA.CaseId);
        // Node B sees neither the claimed head nor the message behind it (that would break the camera's order).
        Assert.Empty(await nodeB.DueAsync(now.AddSeconds(10), 10, none, CancellationToken.None));

        var takenOver = Assert.Single(await nodeB.DueAsync(now.AddSeconds(31), 10, none, CancellationToken.None));
        Assert.Equal((a1.Spooled.CaseId, "node-b"), (takenOver.CaseId, takenOver.ClaimedBy));
        Assert.True(takenOver.ClaimToken > claimedByA.ClaimToken);

        // Node A comes back from a pause: its claim lapsed, so its writes change nothing; node B's count.
        await s.Outbox.MarkDeliveredAsync(claimedByA, now.AddSeconds(32), 201, "late", CancellationToken.None);
        Assert.Equal(OutboxState.Pending, (await s.Outbox.FindByCaseAsync(a1.Spooled.CaseId, CancellationToken.None))!.State);
        await nodeB.MarkDeliveredAsync(takenOver, now.AddSeconds(33), 201, "{\"caseNo\":\"B-1\"}", CancellationToken.None);
        var delivered = (await s.Outbox.FindByCaseAsync(a1.Spooled.CaseId, CancellationToken.None))!;
        Assert.Equal((OutboxState.Delivered, "{\"caseNo\":\"B-1\"}"), (delivered.State, delivered.Receipt));
        Assert.Single(await s.Cases.HistoryAsync(a1.Spooled.CaseId, CancellationToken.None), h => h.Status == CaseStatus.Dispatched);
        Assert.Equal(a2.Spooled.CaseId, Assert.Single(await s.Outbox.DueAsync(now.AddSeconds(34), 10, none, CancellationToken.None)).CaseId);
    }

    [Fact]
    public async Task A_case_is_released_when_its_evidence_is_stored_or_after_review_once_confirmed_and_never_when_rejected()
    {
        var s = NewSetup();
        var onDetection = await AddAsync(s, "cam-1", 1, ReleasePolicy.OnDetection);
        var waitsForReview = await AddAsync(s, "cam-2", 2, ReleasePolicy.AfterReview);
        var confirmedBeforeUpload = await AddAsync(s, "cam-3", 3, store: false);
        var rejected = await AddAsync(s, "cam-4", 4, ReleasePolicy.AfterReview);

        Assert.NotNull(await s.Outbox.FindByCaseAsync(onDetection.Spooled.CaseId, CancellationToken.None));
        Assert.Null(await s.Outbox.FindByCaseAsync(waitsForReview.Spooled.CaseId, CancellationToken.None));

        var officer = new CaseHistoryEntry(CaseStatus.Confirmed, T0.AddHours(1), "officer-7", null, null, "10.0.0.5");
        Assert.True(await s.Cases.ReviewAsync(waitsForReview.Spooled.CaseId, CaseStatus.Confirmed, officer, ReleasePolicy.AfterReview, CancellationToken.None));
        Assert.Equal(OutboxState.Pending, (await s.Outbox.FindByCaseAsync(waitsForReview.Spooled.CaseId, CancellationToken.None))!.State);

        // Confirmed while the evidence was still uploading: the upload releases it.
        await s.Cases.ReviewAsync(confirmedBeforeUpload.Spooled.CaseId, CaseStatus.Confirmed, officer, ReleasePolicy.AfterReview, CancellationToken.None);
        Assert.Null(await s.Outbox.FindByCaseAsync(confirmedBeforeUpload.Spooled.CaseId, CancellationToken.None));
        await s.Catalog.MarkStoredAsync(confirmedBeforeUpload.Spooled.CaseId, T0.AddHours(2), ReleasePolicy.AfterReview, CancellationToken.None);
        Assert.NotNull(await s.Outbox.FindByCaseAsync(confirmedBeforeUpload.Spooled.CaseId, CancellationToken.None));

        await s.Cases.ReviewAsync(rejected.Spooled.CaseId, CaseStatus.Rejected, officer with { Reason = "false_detection" }, ReleasePolicy.AfterReview, CancellationToken.None);
        Assert.False(await s.Outbox.ResendAsync(rejected.Spooled.CaseId, T0, CancellationToken.None));
        var history = await s.Cases.HistoryAsync(rejected.Spooled.CaseId, CancellationToken.None);
        Assert.Equal([CaseStatus.AutoCaptured, CaseStatus.Rejected], history.Select(h => h.Status));
        Assert.Equal(("officer-7", "false_detection", "10.0.0.5"), (history[1].Actor, history[1].Reason, history[1].Address));
    }

    [Fact]
    public async Task Only_the_oldest_pending_message_of_each_camera_is_due_so_a_cameras_cases_go_in_order_and_others_do_not_wait()
    {
        var s = NewSetup();
        var a1 = await AddAsync(s, "cam-a", 1, ReleasePolicy.OnDetection);
        var a2 = await AddAsync(s, "cam-a", 2, ReleasePolicy.OnDetection);
        var b1 = await AddAsync(s, "cam-b", 3, ReleasePolicy.OnDetection);
        var now = T0.AddHours(1);

        Assert.Equal([a1.Spooled.CaseId, b1.Spooled.CaseId], (await DueAsync(s, now)).Select(m => m.CaseId));
        Assert.Equal([b1.Spooled.CaseId], (await DueAsync(s, now, "cam-a")).Select(m => m.CaseId));

        var headA = (await DueAsync(s, now))[0];
        await s.Outbox.RecordFailureAsync(headA, now, 500, "the dispatch core answered 500", now.AddMinutes(1), CancellationToken.None);
        Assert.Equal([b1.Spooled.CaseId], (await DueAsync(s, now)).Select(m => m.CaseId));
        // cam-b's head, due since its release (T0+3 min), was claimed by the look above until now: free again from now.
        Assert.Equal(now, await s.Outbox.NextDueAsync(CancellationToken.None));

        var retried = (await DueAsync(s, now.AddMinutes(1))).Single(m => m.CameraId == "cam-a");
        Assert.Equal((a1.Spooled.CaseId, 1, 500), (retried.CaseId, retried.Attempts, retried.LastStatus));
        await s.Outbox.MarkDeliveredAsync(retried, now.AddMinutes(1), 201, "{\"caseNo\":\"X-1\"}", CancellationToken.None);
        Assert.Equal(a2.Spooled.CaseId, (await DueAsync(s, now.AddMinutes(1))).Single(m => m.CameraId == "cam-a").CaseId);

        var delivered = await s.Cases.FindAsync(a1.Spooled.CaseId, CancellationToken.None);
        Assert.Equal(CaseStatus.Dispatched, delivered!.Status);
        Assert.Equal(CaseStatus.Dispatched, (await s.Cases.HistoryAsync(a1.Spooled.CaseId, CancellationToken.None))[^1].Status);
    }

    [Fact]
    public async Task A_dead_letter_keeps_its_reason_does_not_hold_up_its_camera_and_goes_out_again_on_resend()
    {
        var s = NewSetup();
        var a1 = await AddAsync(s, "cam-a", 1, ReleasePolicy.OnDetection);
        var a2 = await AddAsync(s, "cam-a", 2, ReleasePolicy.OnDetection);
        var now = T0.AddHours(1);

        var head = (await DueAsync(s, now)).Single();
        await s.Outbox.MarkDeadAsync(head, now, 400, "the dispatch core answered 400 Bad Request: {\"error\":\"cellId\"}", CancellationToken.None);

        Assert.Equal(a2.Spooled.CaseId, (await DueAsync(s, now)).Single().CaseId);
        var dead = Assert.Single(await s.Outbox.ListAsync(OutboxState.Dead, 10, CancellationToken.None));
        Assert.Equal((a1.Spooled.CaseId, 400), (dead.CaseId, dead.LastStatus));
        Assert.Contains("cellId", dead.LastError);
        Assert.Equal((1, 1), ((await s.Outbox.StatsAsync(CancellationToken.None)).Pending, (await s.Outbox.StatsAsync(CancellationToken.None)).Dead));

        Assert.True(await s.Outbox.ResendAsync(a1.Spooled.CaseId, now, CancellationToken.None));
        var again = (await DueAsync(s, now)).Single();
        Assert.Equal((a1.Spooled.CaseId, 0, OutboxState.Pending), (again.CaseId, again.Attempts, again.State));
    }

    [Fact]
    public async Task The_review_queue_filters_counts_and_pages_newest_first()
    {
        var s = NewSetup();
        for (int i = 1; i <= 7; i++) await AddAsync(s, i % 2 == 0 ? "cam-even" : "cam-odd", i);
        var first = (await s.Cases.ListAsync(new CaseQuery(Limit: 3), CancellationToken.None)).Select(c => c.ConfirmedAt).ToList();
        var odd = await s.Cases.ListAsync(new CaseQuery(CameraId: "cam-odd", Limit: 10), CancellationToken.None);
        await s.Cases.ReviewAsync(odd[0].CaseId, CaseStatus.Confirmed, new CaseHistoryEntry(CaseStatus.Confirmed, T0, "o", null, null, null), ReleasePolicy.Never, CancellationToken.None);
        var counts = await s.Cases.CountByStatusAsync(new CaseQuery(), CancellationToken.None);

        Assert.Equal(first.OrderByDescending(t => t), first);
        Assert.Equal(T0.AddMinutes(7), first[0]);
        Assert.Equal(4, odd.Count);
        Assert.All(odd, c => Assert.Equal("cam-odd", c.CameraId));
        Assert.Equal((6, 1), (counts[CaseStatus.AutoCaptured], counts[CaseStatus.Confirmed]));
        Assert.Equal(2, (await s.Cases.ListAsync(new CaseQuery(Limit: 3, Offset: 5), CancellationToken.None)).Count);
    }
}
