using Microsoft.Data.Sqlite;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Storage;

public sealed class EvidenceCatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private static (EvidenceCatalog Catalog, string Spool) NewCatalog()
    {
        string spool = Directory.CreateTempSubdirectory("vision-catalog-").FullName;
        return (new EvidenceCatalog(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate()), spool);
    }

    [Fact]
    public async Task A_new_database_is_created_at_the_current_schema_and_opening_it_again_changes_nothing()
    {
        var (catalog, spool) = NewCatalog();
        var c = SyntheticCases.Write(spool, "cam-1", 1, Now);
        await catalog.AddSpooledAsync(c.Spooled, Now, CancellationToken.None);

        var reopened = new EvidenceCatalog(new SqliteCaseDatabase(((SqliteCaseDatabase)catalog.Database).Path).Migrate());

        Assert.Equal(EvidenceState.Spooled, (await reopened.FindAsync(c.Spooled.CaseId, CancellationToken.None))!.State);
        using var connection = ((SqliteCaseDatabase)reopened.Database).OpenSqlite();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SqliteCaseDatabase.SchemaVersion, command.ExecuteScalar());
    }

    [Fact]
    public void A_database_from_a_newer_vision_is_refused_with_the_reason()
    {
        var (catalog, _) = NewCatalog();
        using (var connection = ((SqliteCaseDatabase)catalog.Database).OpenSqlite())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var e = Assert.Throws<InvalidOperationException>(() => new SqliteCaseDatabase(((SqliteCaseDatabase)catalog.Database).Path).Migrate());
        Assert.Contains("schema version 99, newer than this Vision knows", e.Message);
    }

    [Fact]
    public async Task Pending_cases_come_oldest_first_once_each_and_skip_those_in_flight()
    {
        var (catalog, spool) = NewCatalog();
        var late = SyntheticCases.Write(spool, "cam-1", 1, Now.AddMinutes(5));
        var early = SyntheticCases.Write(spool, "cam-2", 2, Now);
        var middle = SyntheticCases.Write(spool, "cam-1", 3, Now.AddMinutes(1));
        foreach (var c in new[] { late, early, middle, early }) await catalog.AddSpooledAsync(c.Spooled, Now, CancellationToken.None);

        var all = await catalog.PendingAsync(10, new HashSet<string>(), CancellationToken.None);
        var skipping = await catalog.PendingAsync(10, new HashSet<string> { early.Spooled.CaseId }, CancellationToken.None);

        Assert.Equal([early.Spooled.CaseId, middle.Spooled.CaseId, late.Spooled.CaseId], all.Select(c => c.CaseId));
        Assert.Equal([middle.Spooled.CaseId, late.Spooled.CaseId], skipping.Select(c => c.CaseId));
        Assert.Equal(early.Spooled.Objects, all[0].Objects);
        Assert.Equal((3, early.Spooled.Bytes + middle.Spooled.Bytes + late.Spooled.Bytes), await catalog.SpooledTotalsAsync(CancellationToken.None));

        await catalog.MarkStoredAsync(early.Spooled.CaseId, Now, ReleasePolicy.Never, CancellationToken.None);
        Assert.Equal(2, (await catalog.PendingAsync(10, new HashSet<string>(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Expiry_follows_each_violation_types_retention_and_spares_held_cases()
    {
        var (catalog, spool) = NewCatalog();
        var parkingOld = SyntheticCases.Write(spool, "cam-1", 1, Now.AddDays(-200), violation: "illegal_parking");
        var parkingYoung = SyntheticCases.Write(spool, "cam-1", 2, Now.AddDays(-100), violation: "illegal_parking");
        var litterOld = SyntheticCases.Write(spool, "cam-1", 3, Now.AddDays(-40), violation: "litter");
        var stallHeld = SyntheticCases.Write(spool, "cam-1", 4, Now.AddDays(-400), violation: "street_stall");
        var stallSpooled = SyntheticCases.Write(spool, "cam-1", 5, Now.AddDays(-400), violation: "street_stall");
        foreach (var c in new[] { parkingOld, parkingYoung, litterOld, stallHeld, stallSpooled })
        {
            await catalog.AddSpooledAsync(c.Spooled, Now, CancellationToken.None);
            if (c != stallSpooled) await catalog.MarkStoredAsync(c.Spooled.CaseId, Now, ReleasePolicy.Never, CancellationToken.None);
        }
        Assert.True(await catalog.SetHoldAsync(stallHeld.Spooled.CaseId, true, "disputed", CancellationToken.None));
        Assert.False(await catalog.SetHoldAsync("no-such-case", true, null, CancellationToken.None));

        var keep = new Dictionary<string, TimeSpan> { ["illegal_parking"] = TimeSpan.FromDays(180), ["litter"] = TimeSpan.FromDays(30) };
        var due = await catalog.ExpiredAsync(keep, TimeSpan.FromDays(90), Now, 100, CancellationToken.None);

        Assert.Equal([parkingOld.Spooled.CaseId, litterOld.Spooled.CaseId], due.Select(e => e.Case.CaseId));
        var held = await catalog.FindAsync(stallHeld.Spooled.CaseId, CancellationToken.None);
        Assert.Equal((true, "disputed"), (held!.Hold, held.HoldReason));
    }
}
