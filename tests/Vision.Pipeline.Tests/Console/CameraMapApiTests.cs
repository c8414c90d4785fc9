using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vision.Pipeline.Tests.Browser;
using Vision.Pipeline.Tests.Live;
using Vision.Storage;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// <c>GET /api/console/map</c> against a real <c>vision run</c> with four cameras (one on the shared bottle footage,
/// two whose streams refuse connections, one without coordinates) and seeded cases: the cameras with their
/// coordinates, state and open cases as reviews change them, and the camera without coordinates listed apart.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class CameraMapApiTests(ITestOutputHelper output)
{
    internal const string Officer = "zhang";
    internal const string West = "cam-west", East = "cam-east", North = "cam-north", Nowhere = "cam-nowhere";

    private static string RuleOf(string cameraId) => "litter-" + cameraId;

    /// <summary>West (south-west), east and north of one another; Nowhere has an address but no lon/lat.</summary>
    internal static string Config(string footage)
    {
        static string Camera(string id, string name, string location, string source) => $$"""
              - id: {{id}}
                name: {{name}}
                location: {{location}}
                source: {{source}}
                analysis: { fps: 2, max_width: 1280 }
                zones:
                  - { id: table-top, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }
                rules:
                  - { id: {{RuleOf(id)}}, name: 桌面垃圾, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 10m, cooldown: 10m }

            """;
        // Port 9 (discard) is closed on loopback: those cameras stay offline and cost nothing.
        return $$"""
            detector: { model: yolox_nano }
            evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s }
            recording: { directory: WORK/recordings, keep: 30s }
            cameras:

            """
            + Camera(West, "西门路口", "{ address: 西门路, lon: 116.380, lat: 39.905 }", footage)
            + Camera(East, "东门路口", "{ address: 东门路, lon: 116.420, lat: 39.910 }", "rtsp://127.0.0.1:9/east")
            + Camera(North, "北门路口", "{ lon: 116.400, lat: 39.930 }", "rtsp://127.0.0.1:9/north")
            + Camera(Nowhere, "临时点位", "{ address: 人民路临时点位 }", "rtsp://127.0.0.1:9/nowhere");
    }

    /// <summary>A node with seeded auto-captured cases: West 3, East 6, North none, Nowhere 2; an officer account.</summary>
    internal static async Task<(VisionProcess Vision, Dictionary<string, IReadOnlyList<string>> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work)
    {
        var newest = DateTimeOffset.Now.AddMinutes(-5);
        var cases = new Dictionary<string, IReadOnlyList<string>>
        {
            [West] = CaseSeeder.Seed(work.Evidence, West, RuleOf(West), 3, withPhotos: 1, newest),
            [East] = CaseSeeder.Seed(work.Evidence, East, RuleOf(East), 6, withPhotos: 1, newest.AddSeconds(-1)),
            [Nowhere] = CaseSeeder.Seed(work.Evidence, Nowhere, RuleOf(Nowhere), 2, withPhotos: 0, newest.AddSeconds(-2)),
        };
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        var vision = await VisionProcess.StartAsync(Config(footage), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        return (vision, cases);
    }

    [SharedDataFact]
    public async Task The_map_lists_cameras_with_coordinates_and_open_cases_and_the_camera_without_coordinates_apart()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, cases) = await StartAsync(work);
        await using var _ = vision;
        using var anonymous = new HttpClient { BaseAddress = new Uri(vision.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/console/map")).StatusCode);

        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        Assert.Equal(HttpStatusCode.OK, (await officer.Http.GetAsync("/map")).StatusCode); // every role has the page

        var map = await officer.Http.GetFromJsonAsync<JsonElement>("/api/console/map");
        output.WriteLine(map.ToString());
        var located = map.GetProperty("cameras").EnumerateArray().ToList();
        Assert.Equal([West, East, North], located.Select(c => c.GetProperty("id").GetString()));
        var west = located[0];
        Assert.Equal(("西门路口", "西门路", 116.380, 39.905), (west.GetProperty("name").GetString(), west.GetProperty("address").GetString(),
            west.GetProperty("lon").GetDouble(), west.GetProperty("lat").GetDouble()));
        Assert.Equal(JsonValueKind.Null, west.GetProperty("node").ValueKind); // a node alone
        Assert.Equal([3, 6, 0], located.Select(c => c.GetProperty("open").GetInt32()));
        Assert.Equal([3, 6, 0], located.Select(c => c.GetProperty("pending").GetInt32()));
        Assert.All(located, c => Assert.NotEqual("unknown", c.GetProperty("state").GetString()));
        var unlocated = Assert.Single(map.GetProperty("unlocated").EnumerateArray());
        Assert.Equal((Nowhere, "临时点位", 2), (unlocated.GetProperty("id").GetString(), unlocated.GetProperty("name").GetString(), unlocated.GetProperty("open").GetInt32()));
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (unlocated.GetProperty("lon").ValueKind, unlocated.GetProperty("lat").ValueKind));

        // Reviews change what is open: a confirmed case stays open (not dispatched yet), a rejected or dispatched one does not.
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{cases[West][0]}/confirm", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{cases[East][0]}/reject", new { reason = "duplicate" })).StatusCode);
        MarkDispatched(vision.EvidenceDirectory, cases[Nowhere][0]);
        map = await officer.Http.GetFromJsonAsync<JsonElement>("/api/console/map");
        var after = map.GetProperty("cameras").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!,
            c => (c.GetProperty("pending").GetInt32(), c.GetProperty("confirmed").GetInt32(), c.GetProperty("open").GetInt32()));
        Assert.Equal((2, 1, 3), after[West]);
        Assert.Equal((5, 0, 5), after[East]);
        Assert.Equal((0, 0, 0), after[North]);
        Assert.Equal(1, map.GetProperty("unlocated")[0].GetProperty("open").GetInt32());

        // The states are the cameras page's: the footage camera comes online, the refused ones do not.
        await vision.WaitUntilAsync(async () =>
        {
            var now = await officer.Http.GetFromJsonAsync<JsonElement>("/api/console/map");
            return now.GetProperty("cameras")[0].GetProperty("state").GetString() == "online";
        }, TimeSpan.FromSeconds(30), "cam-west online on the map");
        var states = (await officer.Http.GetFromJsonAsync<JsonElement>("/api/console/map")).GetProperty("cameras").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("state").GetString());
        Assert.NotEqual("online", states[East]);
    }

    internal static void MarkDispatched(string evidenceDirectory, string caseId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(evidenceDirectory, SqliteCaseDatabase.FileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE cases SET status = 'dispatched', version = version + 1 WHERE case_id = @id";
        command.Parameters.AddWithValue("@id", caseId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
