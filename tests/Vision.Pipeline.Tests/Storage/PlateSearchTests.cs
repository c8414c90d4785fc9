using Vision.Pipeline.Evidence;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tests.Storage;

/// <summary>Officers find cases by plate (whole or part), and the case path finds the same vehicle's recent case on a camera.</summary>
public sealed class PlateSearchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));

    private static async Task<(CaseStore Cases, string Spool)> StoreWithPlatesAsync(params (string Camera, string? Plate)[] cases)
    {
        string spool = Directory.CreateTempSubdirectory("vision-plates-").FullName;
        var store = new CaseStore(new SqliteCaseDatabase(Path.Combine(spool, SqliteCaseDatabase.FileName)).Migrate());
        for (int i = 0; i < cases.Length; i++)
        {
            var written = SyntheticCases.Write(spool, cases[i].Camera, i + 1, T0.AddMinutes(i), clipBytes: 1000);
            var plate = cases[i].Plate is { } text
                ? new CasePlate(text, 0.97, new PixelBox(40, 60, 90, 28), "x/photo-3-original.jpg", [], null)
                : new CasePlate(null, 0, null, null, [], "no plate found in the vehicle's box");
            var record = written.Record with { Plate = plate };
            await store.AddAsync(NewCase.Of(record), written.Spooled, T0, CancellationToken.None);
        }
        return (store, spool);
    }

    [Fact]
    public async Task A_plate_or_part_of_it_finds_its_cases_and_only_those()
    {
        var (store, _) = await StoreWithPlatesAsync(("cam-1", "京A12345"), ("cam-2", "粤BD12345"), ("cam-1", null), ("cam-3", "京A12345"));

        var whole = await store.ListAsync(new CaseQuery(Plate: "京A12345"), CancellationToken.None);
        Assert.Equal(["cam-3", "cam-1"], whole.Select(c => c.CameraId));
        Assert.All(whole, c => Assert.Equal("京A12345", c.Plate));

        var part = await store.ListAsync(new CaseQuery(Plate: CaseQuery.NormalisePlateSearch("d12")), CancellationToken.None);
        Assert.Equal(["粤BD12345"], part.Select(c => c.Plate));

        var dotted = await store.ListAsync(new CaseQuery(Plate: CaseQuery.NormalisePlateSearch("京A·12345")), CancellationToken.None);
        Assert.Equal(2, dotted.Count);
        var fullWidth = await store.ListAsync(new CaseQuery(Plate: CaseQuery.NormalisePlateSearch("京ａ１２３")), CancellationToken.None);
        Assert.Equal(2, fullWidth.Count);

        Assert.Equal(4, (await store.ListAsync(new CaseQuery(Plate: CaseQuery.NormalisePlateSearch("  ")), CancellationToken.None)).Count);
        Assert.Empty(await store.ListAsync(new CaseQuery(Plate: "沪C"), CancellationToken.None));
    }

    [Fact]
    public async Task The_same_plate_on_the_same_camera_and_rule_is_found_within_the_window_only()
    {
        var (store, _) = await StoreWithPlatesAsync(("cam-1", "京A12345"), ("cam-2", "京A12345"));

        var found = await store.FindRecentByPlateAsync("cam-1", "rule-cam-1", "京A12345", T0.AddMinutes(-5), CancellationToken.None);
        Assert.Equal("cam-1", found?.CameraId);
        Assert.Null(await store.FindRecentByPlateAsync("cam-1", "rule-cam-1", "京A12345", T0.AddMinutes(1), CancellationToken.None));
        Assert.Null(await store.FindRecentByPlateAsync("cam-1", "rule-cam-1", "京A99999", T0.AddMinutes(-5), CancellationToken.None));
        Assert.Null(await store.FindRecentByPlateAsync("cam-1", "rule-cam-2", "京A12345", T0.AddMinutes(-5), CancellationToken.None));
    }
}
