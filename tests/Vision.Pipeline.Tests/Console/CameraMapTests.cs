using Vision.ReviewConsole;
using Vision.Pipeline.Tests.Storage;
using Vision.Pipeline.Tests.Support;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// The map's data without a running node: open cases counted per camera in one query on the node's SQLite file and on
/// PostgreSQL 15 (a fresh database, real server on loopback), and the cameras of the config split into those with
/// coordinates and those without.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CameraMapTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _spool = Directory.CreateTempSubdirectory("vision-map-").FullName;
    private readonly List<PostgresCaseDatabase> _opened = [];

    private const string ConfigText = """
        detector: { model: yolox_nano }
        cameras:
          - id: cam-west
            name: 西门路口
            location: { address: 西门路, lon: 116.380, lat: 39.905 }
            zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
            rules: [{ id: parking-west, type: illegal_parking, zones: [kerb] }]
          - id: cam-east
            name: 东门路口
            location: { lon: 116.420, lat: 39.910 }
            zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
            rules: [{ id: parking-east, type: illegal_parking, zones: [kerb] }]
          - id: cam-nowhere
            name: 临时点位
            location: { address: 人民路临时点位 }
            zones: [{ id: kerb, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
            rules: [{ id: parking-nowhere, type: illegal_parking, zones: [kerb] }]

        """;

    public void Dispose()
    {
        foreach (var db in _opened) db.Dispose();
        try { Directory.Delete(_spool, recursive: true); }
        catch (IOException) { } // a pooled SQLite handle may still hold the file
    }

    [Fact]
    public Task Open_cases_are_counted_per_camera_and_cameras_without_coordinates_are_listed_apart_on_SQLite() =>
        Scenario(new SqliteCaseDatabase(Path.Combine(_spool, SqliteCaseDatabase.FileName)).Migrate());

    [PostgresFact]
    public async Task Open_cases_are_counted_per_camera_and_cameras_without_coordinates_are_listed_apart_on_PostgreSQL()
    {
        var db = new PostgresCaseDatabase(await postgres.Server.CreateDatabaseAsync("map_" + Guid.NewGuid().ToString("N")[..12]));
        _opened.Add(db);
        await Scenario(db.Migrate());
    }

    private async Task Scenario(CaseDatabase db)
    {
        var cases = new CaseStore(db);
        int index = 0;
        async Task<string> Add(string camera)
        {
            var written = SyntheticCases.Write(_spool, camera, ++index, T0.AddMinutes(index), clipBytes: 1000);
            await cases.AddAsync(NewCase.Of(written.Record), written.Spooled, T0, None);
            return written.Record.CaseId;
        }
        async Task Decide(string caseId, CaseStatus status) => Assert.Equal(DecisionResult.Recorded, (await cases.DecideAsync(caseId,
            new CaseDecision(status, new CaseHistoryEntry(status, T0.AddHours(1), "officer-7", status == CaseStatus.Rejected ? "duplicate" : null, null, null), ReleasePolicy.Never), None)).Result);

        var west = new[] { await Add("cam-west"), await Add("cam-west"), await Add("cam-west"), await Add("cam-west") };
        var east = new[] { await Add("cam-east"), await Add("cam-east") };
        var nowhere = await Add("cam-nowhere");
        await Add("cam-retired"); // a camera no longer configured: counted, but not on the map
        await Decide(west[0], CaseStatus.Confirmed);
        await Decide(west[1], CaseStatus.Rejected);
        await Decide(east[0], CaseStatus.Rejected);
        await using (var connection = db.Open())
        await using (var dispatch = connection.CreateCommand())
        {
            dispatch.CommandText = $"UPDATE cases SET status = 'dispatched' WHERE case_id = '{nowhere}'";
            Assert.Equal(1, await dispatch.ExecuteNonQueryAsync());
        }

        var counts = await new OpenCaseCounts(db).PerCameraAsync(None);
        Assert.Equal(new OpenCaseCount(2, 1), counts["cam-west"]); // one rejected: no longer open
        Assert.Equal(new OpenCaseCount(1, 0), counts["cam-east"]);
        Assert.False(counts.ContainsKey("cam-nowhere")); // dispatched: done
        Assert.Equal(3, counts["cam-west"].Open);

        var config = VisionConfigLoader.Parse(ConfigText, "map-test.yaml");
        ConsoleCamera[] states = [new("cam-west", "西门路口", "online", "", 2, false), new("cam-east", "东门路口", "offline", "connection refused", 0, false) { Node = "node-b" }];
        var view = CameraMapView.Build(config, states, counts);
        Assert.Equal(["cam-west", "cam-east"], view.Cameras.Select(c => c.Id));
        Assert.Equal(new MapCamera("cam-west", "西门路口", "西门路", 116.380, 39.905, "online", null, 2, 1), view.Cameras[0]);
        Assert.Equal(new MapCamera("cam-east", "东门路口", null, 116.420, 39.910, "offline", "node-b", 1, 0), view.Cameras[1]);
        // No coordinates: listed apart; no node reports it, so its state is unknown.
        Assert.Equal([new MapCamera("cam-nowhere", "临时点位", "人民路临时点位", null, null, "unknown", null, 0, 0)], view.Unlocated);
    }
}
