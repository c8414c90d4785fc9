using Microsoft.Extensions.Logging.Abstractions;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Upload;
using Vision.Rules.Config;
using Vision.Storage;
using static Vision.Pipeline.Tests.Storage.EvidenceUploaderTests;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>
/// The spool and uploader against a real S3 server (s3rver on loopback) that goes away and comes back: nothing is
/// lost, nothing is uploaded twice, and retention deletes only what has expired and is not held.
/// </summary>
public sealed class EvidenceOutageTests
{
    private const string Bucket = "vision-outage";
    private static readonly DateTimeOffset Confirmed = new(2026, 11, 23, 10, 15, 0, TimeSpan.FromHours(8));

    private sealed record Setup(string Spool, S3EvidenceStore Store, EvidenceCatalog Catalog, List<WrittenCase> Cases, Dictionary<string, byte[]> Originals);

    private static async Task<Setup> SpoolCasesAsync(S3TestServer server, int count, int clipBytes)
    {
        string spool = Directory.CreateTempSubdirectory("vision-s3-spool-").FullName;
        var catalog = new EvidenceCatalog(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate());
        var cases = Enumerable.Range(1, count).Select(i => SyntheticCases.Write(spool, $"cam-{i % 3}", i, Confirmed.AddSeconds(i * 7), clipBytes)).ToList();
        var originals = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            await catalog.AddSpooledAsync(c.Spooled, Confirmed, CancellationToken.None);
            foreach (var o in c.Spooled.Objects) originals[o.Key] = File.ReadAllBytes(Path.Combine(spool, c.Spooled.CaseId, o.Name));
        }
        return new Setup(spool, new S3EvidenceStore(server.Options(Bucket)), catalog, cases, originals);
    }

    private static async Task AssertExactlyTheCasesObjectsAsync(S3TestServer server, Setup s)
    {
        Assert.Equal(s.Originals.Keys.Order(StringComparer.Ordinal), server.ObjectKeys(Bucket).Where(k => !k.StartsWith("_vision/", StringComparison.Ordinal)));
        foreach (var (key, bytes) in s.Originals)
        {
            using var downloaded = new MemoryStream();
            await s.Store.GetAsync(key, downloaded, CancellationToken.None);
            Assert.True(bytes.AsSpan().SequenceEqual(downloaded.ToArray()), $"{key} differs from what was spooled");
        }
        foreach (var c in s.Cases) Assert.False(Directory.Exists(Path.Combine(s.Spool, c.Spooled.CaseId)));
    }

    [S3Fact]
    public async Task Store_down_before_uploads_keeps_everything_spooled_and_uploads_it_all_exactly_once_when_it_returns()
    {
        await using var server = await S3TestServer.StartAsync();
        var s = await SpoolCasesAsync(server, 10, clipBytes: 300_000);
        await server.StopAsync();
        var uploader = Uploader(s.Store, s.Catalog, s.Spool, concurrency: 3);
        using var stop = new CancellationTokenSource();
        var run = uploader.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => !uploader.Health.Ok && uploader.Health.Problem?.Contains("unreachable", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(15), "the uploader saying the store is unreachable");
        Assert.Equal(0, uploader.CasesStored);
        Assert.Contains("unreachable", uploader.Health.Problem);
        Assert.Equal(10, (await s.Catalog.SpooledTotalsAsync(CancellationToken.None)).Cases);
        foreach (var c in s.Cases) Assert.True(File.Exists(Path.Combine(s.Spool, c.Spooled.CaseId, "clip.mp4")));

        await server.RestartAsync();
        await Eventually.TrueAsync(AllStored(s.Catalog), TimeSpan.FromSeconds(60), "every spooled case stored");
        await stop.CancelAsync();
        await run;

        Assert.Equal(10, uploader.CasesStored);
        Assert.Equal(s.Originals.Count, uploader.ObjectsPut);
        Assert.True(uploader.Health.Ok);
        await AssertExactlyTheCasesObjectsAsync(server, s);
    }

    [S3Fact]
    public async Task Store_stopped_during_uploads_loses_nothing_and_duplicates_nothing_when_it_returns()
    {
        await using var server = await S3TestServer.StartAsync();
        var s = await SpoolCasesAsync(server, 16, clipBytes: 3_000_000);
        var uploader = Uploader(s.Store, s.Catalog, s.Spool, concurrency: 2);
        using var stop = new CancellationTokenSource();
        var run = uploader.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => uploader.CasesStored >= 3, TimeSpan.FromSeconds(60), "3 cases stored", TimeSpan.FromMilliseconds(20));
        await server.StopAsync();
        long storedWhileUp = uploader.CasesStored;
        await Eventually.TrueAsync(() => !uploader.Health.Ok, TimeSpan.FromSeconds(15), "the uploader saying the store is down");
        Assert.InRange(uploader.CasesStored, 3, 15);

        await server.RestartAsync();
        await Eventually.TrueAsync(AllStored(s.Catalog), TimeSpan.FromSeconds(90), "every spooled case stored");
        await stop.CancelAsync();
        await run;

        Assert.True(storedWhileUp < 16, "the outage came too late to interrupt anything");
        Assert.Equal(16, uploader.CasesStored);
        await AssertExactlyTheCasesObjectsAsync(server, s);
    }

    [S3Fact]
    public async Task Retention_deletes_expired_cases_per_violation_type_from_the_bucket_and_keeps_held_and_young_ones()
    {
        await using var server = await S3TestServer.StartAsync();
        string spool = Directory.CreateTempSubdirectory("vision-retention-").FullName;
        var catalog = new EvidenceCatalog(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate());
        using var store = new S3EvidenceStore(server.Options(Bucket));
        var now = new DateTimeOffset(2027, 6, 1, 12, 0, 0, TimeSpan.FromHours(8));
        var oldParking = SyntheticCases.Write(spool, "cam-1", 1, now.AddDays(-181), violation: "illegal_parking");
        var heldParking = SyntheticCases.Write(spool, "cam-1", 2, now.AddDays(-300), violation: "illegal_parking");
        var youngParking = SyntheticCases.Write(spool, "cam-1", 3, now.AddDays(-20), violation: "illegal_parking");
        var oldLitter = SyntheticCases.Write(spool, "cam-2", 4, now.AddDays(-31), violation: "litter");
        var all = new[] { oldParking, heldParking, youngParking, oldLitter };
        foreach (var c in all) await catalog.AddSpooledAsync(c.Spooled, now, CancellationToken.None);
        await RunUntilAsync(Uploader(store, catalog, spool), AllStored(catalog), TimeSpan.FromSeconds(30));
        await catalog.SetHoldAsync(heldParking.Spooled.CaseId, true, "disputed", CancellationToken.None);
        var retention = new RetentionConfig(TimeSpan.FromDays(180), new Dictionary<ViolationType, TimeSpan> { [ViolationType.Litter] = TimeSpan.FromDays(30) }, TimeSpan.FromHours(1));
        var sweeper = new RetentionSweeper(store, catalog, retention, new FixedClock(now), NullLogger.Instance);

        var dry = await sweeper.SweepAsync(dryRun: true, CancellationToken.None);
        Assert.Equal(SyntheticCases.Keys(all).Count, server.ObjectKeys(Bucket).Count(k => !k.StartsWith("_vision/", StringComparison.Ordinal)));
        var result = await sweeper.SweepAsync(dryRun: false, CancellationToken.None);

        string[] expired = [oldParking.Spooled.CaseId, oldLitter.Spooled.CaseId];
        Assert.Equal(expired, dry.CaseIds);
        Assert.Equal(expired, result.CaseIds);
        Assert.Equal(SyntheticCases.Keys([heldParking, youngParking]).Order(StringComparer.Ordinal),
            server.ObjectKeys(Bucket).Where(k => !k.StartsWith("_vision/", StringComparison.Ordinal)));
        Assert.Equal(EvidenceState.Expired, (await catalog.FindAsync(oldLitter.Spooled.CaseId, CancellationToken.None))!.State);
        Assert.Equal(EvidenceState.Stored, (await catalog.FindAsync(heldParking.Spooled.CaseId, CancellationToken.None))!.State);

        await catalog.SetHoldAsync(heldParking.Spooled.CaseId, false, null, CancellationToken.None);
        Assert.Equal([heldParking.Spooled.CaseId], (await sweeper.SweepAsync(dryRun: false, CancellationToken.None)).CaseIds);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
