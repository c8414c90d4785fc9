using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Vision.Rules.Config;
using Vision.Rules.Zones;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// The zone editor (/zones/&lt;camera&gt;) in real headless Chromium against a real <c>vision run</c> on the shared bottle
/// footage played as a live camera. Its litter zone starts off the table, so no case comes; the engineer drags the
/// zone over the table with the mouse (and checks the keyboard), saves, and the running service's hot reload applies
/// the zones file: the next case is on that zone. A self-crossing polygon is refused with the loader's message and
/// nothing is written; officers get 403 and a save over a newer file 409.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class ZoneEditorTests(ITestOutputHelper output)
{
    private const string Officer = "zhang", Engineer = "li", CameraId = "cam-bottles", ZoneId = "table-top", InlineCameraId = "cam-inline";
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(120);

    // Off the table: the bottles' foot points are in the lower third of the frame.
    private const string ZonesOffTheTable = """
        - { id: table-top, name: 桌面, polygon: [[0.02, 0.02], [0.3, 0.02], [0.3, 0.3], [0.02, 0.3]] }

        """;

    private static string Config(string footage) => $$"""
        detector: { model: yolox_nano }
        evidence: { directory: WORK/evidence, pre_roll: 2s, post_roll: 2s }
        recording: { directory: WORK/recordings, keep: 30s }
        cameras:
          # hand-written comment: the console never rewrites this file
          - id: {{CameraId}}
            name: 测试路口
            source: {{footage}}
            analysis: { fps: 2, max_width: 1280 }
            zones_file: zones/{{CameraId}}.yaml
            rules:
              - { id: litter-table, name: 桌面垃圾, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 5s, cooldown: 10m }
          # zones inline: read-only in the editor (port 9 is closed on loopback: the camera stays offline and costs nothing)
          - id: {{InlineCameraId}}
            source: rtsp://127.0.0.1:9/none
            zones:
              - { id: kerb, polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0]] }

        """;

    private readonly List<string> _pageErrors = [];

    [ChromiumSharedDataFact]
    public async Task Engineer_drags_a_zone_over_the_bottles_saves_and_the_next_case_is_on_it_while_a_crossing_polygon_is_refused_with_the_loaders_message()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        string zonesFile = Path.Combine(work.Path, "zones", $"{CameraId}.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(zonesFile)!);
        await File.WriteAllTextAsync(zonesFile, ZonesOffTheTable);
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var vision = await VisionProcess.StartAsync(Config(footage), workDirectory: work.Path);
        string configText = await File.ReadAllTextAsync(vision.ConfigPath);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        ConsoleApiTests.AddUser(vision.ConfigPath, Engineer, "engineer");
        await vision.WaitUntilAsync(async () => (await vision.CameraAsync(CameraId)).GetProperty("state").GetString() == "online", TimeSpan.FromSeconds(60), "camera online");

        // Officers may not see or change zones.
        using (var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync($"/api/cameras/{CameraId}/zones")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.Http.GetAsync($"/api/cameras/{CameraId}/frame.jpg")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.PutAsync($"/api/cameras/{CameraId}/zones", new { version = "x", zones = Array.Empty<object>() })).StatusCode);
        }

        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.NewPageAsync(vision.BaseUrl);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        await page.GotoAsync($"/login?returnUrl=%2Fcameras");
        await page.FillAsync("#username", Engineer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, "/cameras");

        // The cameras page links to the editor; it shows the latest frame with the zone and the rule using it.
        await page.ClickAsync($"a[data-zones-for=\"{CameraId}\"]");
        await ReviewConsoleTests.WaitForLandingAsync(page, $"/zones/{CameraId}");
        await page.WaitForSelectorAsync("#zone-stage[data-frame=\"loaded\"]", new() { Timeout = 60_000 });
        var frame = await page.EvaluateAsync<int[]>("() => { const i = document.getElementById('zone-frame'); return [i.naturalWidth, i.naturalHeight]; }");
        string frameSource = await page.EvaluateAsync<string>($"async () => (await fetch('/api/cameras/{CameraId}/frame.jpg', {{ cache: 'no-store' }})).headers.get('x-frame-source')");
        output.WriteLine($"frame {frame[0]}x{frame[1]} from the {frameSource}");
        Assert.Equal([640, 360], frame); // the footage's own size: full resolution, not the thumbnail
        Assert.Contains("桌面垃圾", await page.TextContentAsync($"#zone-list li[data-zone-id=\"{ZoneId}\"]"));
        Assert.Equal("litter-table", await page.GetAttributeAsync($"#zone-list li[data-zone-id=\"{ZoneId}\"] .zone-rule-line", "data-rules"));
        Assert.Equal(4, await page.Locator("circle.corner").CountAsync());
        Assert.Empty(vision.Cases()); // the zone misses the bottles

        // The keyboard: Insert adds a corner after the selected one, Delete removes it, arrows move, Tab walks.
        await page.FocusAsync("#zone-overlay");
        await page.Keyboard.PressAsync("Insert");
        Assert.Equal(5, await page.Locator("circle.corner").CountAsync());
        Assert.Equal("1", await page.GetAttributeAsync("circle.corner.selected", "data-index"));
        await page.Keyboard.PressAsync("Delete");
        Assert.Equal(4, await page.Locator("circle.corner").CountAsync());
        await page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal("0", await page.GetAttributeAsync("circle.corner.selected", "data-index"));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Contains("0.030", await page.TextContentAsync("#zone-status"));
        await page.Keyboard.PressAsync("ArrowUp");
        Assert.Contains("0.020", await page.TextContentAsync("#zone-status"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("1", await page.GetAttributeAsync("circle.corner.selected", "data-index"));

        // A click on an edge adds a corner there (selected, so Delete takes it away again).
        var a = (await page.Locator("circle.corner[data-index=\"0\"]").BoundingBoxAsync())!;
        var b = (await page.Locator("circle.corner[data-index=\"1\"]").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync((a.X + a.Width / 2 + b.X + b.Width / 2) / 2, (a.Y + a.Height / 2 + b.Y + b.Height / 2) / 2);
        Assert.Equal(5, await page.Locator("circle.corner").CountAsync());
        Assert.Equal("1", await page.GetAttributeAsync("circle.corner.selected", "data-index"));
        await page.Keyboard.PressAsync("Delete");
        Assert.Equal(4, await page.Locator("circle.corner").CountAsync());
        await page.Keyboard.PressAsync("Shift+Tab");
        Assert.Equal("0", await page.GetAttributeAsync("circle.corner.selected", "data-index"));

        // The mouse: each corner dragged to the lower part of the frame, where the bottles stand.
        (double X, double Y)[] table = [(0.0, 0.55), (1.0, 0.55), (1.0, 1.0), (0.0, 1.0)];
        for (int i = 0; i < table.Length; i++) await DragCornerAsync(page, i, table[i]);
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(page, "zone-editor")}");
        Assert.Empty(vision.Cases());
        await page.ClickAsync("#save-zones");
        await page.WaitForSelectorAsync("#zone-stage[data-saved]");
        Assert.True(await page.IsHiddenAsync("#zones-message"), await page.TextContentAsync("#zones-message"));

        // On disk: only the zones file changed, and the loader reads the dragged polygon from it.
        Assert.Equal(configText, await File.ReadAllTextAsync(vision.ConfigPath));
        string savedText = await File.ReadAllTextAsync(zonesFile);
        output.WriteLine(savedText);
        var saved = VisionConfigLoader.Load(vision.ConfigPath).FindCamera(CameraId)!.FindZone(ZoneId)!;
        Assert.Equal("桌面", saved.Name);
        Assert.Equal(table.Length, saved.Polygon.Points.Count);
        for (int i = 0; i < table.Length; i++)
        {
            Assert.InRange(saved.Polygon.Points[i].X, table[i].X - 0.01, table[i].X + 0.01);
            Assert.InRange(saved.Polygon.Points[i].Y, table[i].Y - 0.01, table[i].Y + 0.01);
        }

        // The running service applied it by its hot reload, without reconnecting the camera, and the next case is on the zone.
        await vision.WaitUntilAsync(async () => JsonDocument.Parse(await vision.GetStringAsync("/api/status")).RootElement.GetProperty("configReloads").GetInt32() >= 1,
            TimeSpan.FromSeconds(20), "the hot reload applied the zones file");
        Assert.Contains($"camera {CameraId}: zones/rules updated without reconnecting", vision.Output, StringComparison.Ordinal);
        await vision.WaitUntilAsync(() => Task.FromResult(vision.Cases().Count >= 1), CaseTimeout, "a case on the new zone");
        var first = vision.Cases()[0];
        output.WriteLine($"case {first.GetProperty("caseId").GetString()} zone {first.GetProperty("zoneId").GetString()}");
        Assert.Equal((CameraId, ZoneId), (first.GetProperty("cameraId").GetString(), first.GetProperty("zoneId").GetString()));

        // The save is audited and listed on the page.
        using var engineer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
        var view = await engineer.Http.GetFromJsonAsync<JsonElement>($"/api/cameras/{CameraId}/zones");
        var change = Assert.Single(view.GetProperty("changes").EnumerateArray());
        Assert.Equal((Engineer, "127.0.0.1"), (change.GetProperty("username").GetString(), change.GetProperty("address").GetString()));
        Assert.Equal(0.3, change.GetProperty("before")[0].GetProperty("points")[2][0].GetDouble());
        Assert.InRange(change.GetProperty("after")[0].GetProperty("points")[2][0].GetDouble(), 0.99, 1.0);
        Assert.Contains(Engineer, await page.TextContentAsync("#zone-changes-table tbody tr"));

        // A corner dragged across the opposite edge makes the polygon cross itself: refused with the loader's message, nothing written.
        await DragCornerAsync(page, 2, (0.2, 0.3));
        await page.ClickAsync("#save-zones");
        await page.WaitForSelectorAsync("#zones-message:not([hidden])");
        string refusal = (await page.TextContentAsync("#zones-message"))!;
        output.WriteLine(refusal);
        Assert.StartsWith("保存被拒绝", refusal, StringComparison.Ordinal);
        Assert.Contains($"{zonesFile}:", refusal, StringComparison.Ordinal);
        Assert.Contains("cameras[0].zones[0].polygon: the polygon crosses itself", refusal, StringComparison.Ordinal);
        Assert.Equal(savedText, await File.ReadAllTextAsync(zonesFile));

        // The same refusal through the API is a 400 carrying the loader's own words for the polygon.
        NormalizedPoint[] crossing = [new(0, 0.55), new(1, 0.55), new(0.2, 0.3), new(0, 1)];
        var version = view.GetProperty("version").GetString();
        var refused = await engineer.PutAsync($"/api/cameras/{CameraId}/zones", new { version, zones = new[] { new { id = ZoneId, name = "桌面", points = crossing.Select(p => new[] { p.X, p.Y }) } } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(ZonePolygon.Validate(crossing)!, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);

        // Two corners are refused the same way; a save over a version that is no longer on disk is a 409.
        var tooFew = await engineer.PutAsync($"/api/cameras/{CameraId}/zones", new { version, zones = new[] { new { id = ZoneId, name = "桌面", points = new[] { new[] { 0.1, 0.1 }, new[] { 0.9, 0.9 } } } } });
        Assert.Equal(HttpStatusCode.BadRequest, tooFew.StatusCode);
        Assert.Contains("a polygon needs at least 3 points, got 2", await tooFew.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stale = await engineer.PutAsync($"/api/cameras/{CameraId}/zones", new { version = "0123456789abcdef", zones = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(savedText, await File.ReadAllTextAsync(zonesFile));

        // A camera whose zones are inline is shown read-only, saying what to add; a save is refused.
        var inline = await engineer.Http.GetFromJsonAsync<JsonElement>($"/api/cameras/{InlineCameraId}/zones");
        Assert.False(inline.GetProperty("editable").GetBoolean());
        Assert.Contains($"zones_file: zones/{InlineCameraId}.yaml", inline.GetProperty("readOnlyReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await engineer.PutAsync($"/api/cameras/{InlineCameraId}/zones", new { version = "inline", zones = Array.Empty<object>() })).StatusCode);
        await page.GotoAsync($"/zones/{InlineCameraId}");
        await ReviewConsoleTests.WaitReadyAsync(page);
        Assert.Contains($"zones_file: zones/{InlineCameraId}.yaml", await page.TextContentAsync("#zones-read-only:not([hidden])"));
        Assert.True(await page.IsDisabledAsync("#save-zones"));
        Assert.False(File.Exists(Path.Combine(work.Path, "zones", $"{InlineCameraId}.yaml")));
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, string.Join('\n', _pageErrors));
    }

    /// <summary>Drags corner <paramref name="index"/> of the selected zone to a point given as fractions of the frame.</summary>
    private static async Task DragCornerAsync(IPage page, int index, (double X, double Y) to)
    {
        var corner = (await page.Locator($"circle.corner[data-index=\"{index}\"]").BoundingBoxAsync())!;
        var stage = (await page.Locator("#zone-overlay").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(corner.X + corner.Width / 2, corner.Y + corner.Height / 2);
        await page.Mouse.DownAsync();
        // Just inside the frame's edge: the editor keeps corners within 0..1.
        double x = stage.X + Math.Clamp(to.X, 0.0005, 0.9995) * stage.Width, y = stage.Y + Math.Clamp(to.Y, 0.0005, 0.9995) * stage.Height;
        await page.Mouse.MoveAsync((float)x, (float)y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }
}
