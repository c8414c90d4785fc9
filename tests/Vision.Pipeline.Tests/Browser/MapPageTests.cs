using System.Text.Json;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// The map page (/map) in real headless Chromium against a real <c>vision run</c> with four cameras and seeded cases
/// (see <see cref="CameraMapApiTests"/>): where the points are drawn, their sizes, the camera without coordinates
/// listed beside the map, the hover and keyboard focus details, and a point opening that camera's queue.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class MapPageTests(ITestOutputHelper output)
{
    private const string West = CameraMapApiTests.West, East = CameraMapApiTests.East, North = CameraMapApiTests.North, Nowhere = CameraMapApiTests.Nowhere;
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly List<string> _pageErrors = [];

    private async Task<IPage> SignedInPageAsync(Chromium chromium, string baseUrl, ViewportSize? viewport = null)
    {
        var page = await chromium.NewPageAsync(baseUrl, viewport: viewport);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        page.Console += (_, message) => { if (message.Type == "error") lock (_pageErrors) _pageErrors.Add($"{page.Url}: console: {message.Text}"); };
        await page.GotoAsync("/login?returnUrl=%2Fmap");
        await page.FillAsync("#username", CameraMapApiTests.Officer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, "/map");
        return page;
    }

    private sealed record Point(string Id, double X, double Y, double R, int Open);

    private static async Task<Dictionary<string, Point>> PointsAsync(IPage page)
    {
        string json = await page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('svg.camera-map .map-point')].map(a => {
              const box = a.querySelector('circle').getBoundingClientRect();
              return { id: a.dataset.cameraId, x: box.x + box.width / 2, y: box.y + box.height / 2, r: box.width / 2, open: Number(a.dataset.open) };
            }))
            """);
        return JsonSerializer.Deserialize<List<Point>>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.ToDictionary(p => p.Id);
    }

    [ChromiumSharedDataFact]
    public async Task Each_camera_with_coordinates_is_a_point_where_it_is_and_following_a_point_opens_that_cameras_queue()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await CameraMapApiTests.StartAsync(work);
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await SignedInPageAsync(chromium, vision.BaseUrl);
        await page.WaitForSelectorAsync("svg.camera-map .map-point");
        output.WriteLine($"desktop: {await Chromium.SaveScreenshotAsync(page, "map-desktop")}");

        // One point per located camera, at distinct places, east to the right of west and north above south.
        var points = await PointsAsync(page);
        output.WriteLine(string.Join("\n", points.Values));
        Assert.Equal([East, North, West], points.Keys.Order(StringComparer.Ordinal));
        foreach (var a in points.Values)
            foreach (var b in points.Values.Where(b => b != a))
                Assert.True(double.Hypot(a.X - b.X, a.Y - b.Y) > a.R + b.R, $"{a} and {b} overlap");
        Assert.True(points[West].X < points[North].X && points[North].X < points[East].X, "west → north → east from left to right");
        Assert.True(points[North].Y < points[East].Y && points[East].Y < points[West].Y, "north above east above west (the southernmost)");
        // Sized by open cases: East 6, West 3, North none.
        Assert.Equal((6, 3, 0), (points[East].Open, points[West].Open, points[North].Open));
        Assert.True(points[East].R > points[West].R && points[West].R > points[North].R, "larger points for more open cases");
        // The equirectangular proportions hold: 0.04° of longitude at 39.9° N is cos(39.9°)·0.04° of latitude wide.
        double eastWest = points[East].X - points[West].X, northSouth = points[West].Y - points[North].Y;
        double expected = 0.040 * Math.Cos(39.9175 * Math.PI / 180) / 0.025;
        Assert.InRange(eastWest / northSouth, expected * 0.97, expected * 1.03);

        // The camera without coordinates is listed beside the map, not drawn.
        Assert.Equal(0, await page.Locator($".map-point[data-camera-id=\"{Nowhere}\"]").CountAsync());
        Assert.Contains("临时点位", await page.TextContentAsync($"#unlocated-cameras li[data-camera-id=\"{Nowhere}\"]"));
        Assert.Contains("无坐标的摄像头", await page.TextContentAsync(".map-unlocated"));
        Assert.Contains("未结案件", await page.TextContentAsync(".map-legend") + await page.TextContentAsync(".map-unlocated"));

        // Hovering tells name, state and open cases.
        await page.HoverAsync($".map-point[data-camera-id=\"{East}\"] circle");
        await page.WaitForSelectorAsync($"#map-tip[data-camera-id=\"{East}\"]:not([hidden])");
        string tip = (await page.TextContentAsync("#map-tip"))!;
        output.WriteLine($"tip: {tip}");
        Assert.Contains("东门路口", tip);
        Assert.Contains("6 件（待审核 6，已确认 0）", tip);

        // The keyboard reaches the points (the busiest first); Enter opens the queue of the focused camera.
        await page.Mouse.MoveAsync(0, 0);
        await page.FocusAsync("#view");
        string? focused = null;
        for (int i = 0; i < 30 && focused is null; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused = await page.EvaluateAsync<string?>("() => document.activeElement?.closest?.('.map-point')?.dataset.cameraId ?? null");
        }
        Assert.Equal(East, focused);
        await page.WaitForSelectorAsync($"#map-tip[data-camera-id=\"{East}\"]:not([hidden])");
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, $"/?camera={East}");
        await AssertQueueOfAsync(page, East, 6);

        // A click opens the queue filtered by that camera, without reloading the page.
        await page.GotoAsync("/map");
        await page.WaitForSelectorAsync("svg.camera-map .map-point");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await page.ClickAsync($".map-point[data-camera-id=\"{West}\"] circle");
        await ReviewConsoleTests.WaitForLandingAsync(page, $"/?camera={West}");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        await AssertQueueOfAsync(page, West, 3);

        // On a phone: no wider than the screen, every point inside it.
        var phone = await SignedInPageAsync(chromium, vision.BaseUrl, Phone);
        await phone.WaitForSelectorAsync("svg.camera-map .map-point");
        await phone.HoverAsync($".map-point[data-camera-id=\"{East}\"] circle"); // the details stay on screen too
        output.WriteLine($"phone: {await Chromium.SaveScreenshotAsync(phone, "map-phone")}");
        Assert.True(await phone.EvaluateAsync<int>("() => document.scrollingElement.scrollWidth") <= Phone.Width);
        Assert.All((await PointsAsync(phone)).Values, p => Assert.InRange(p.X, p.R, Phone.Width - p.R));
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, string.Join('\n', _pageErrors));
    }

    private static async Task AssertQueueOfAsync(IPage page, string cameraId, int cases)
    {
        await page.WaitForSelectorAsync("table#queue tr[data-case-id]");
        var cameras = await page.EvalOnSelectorAllAsync<string[]>("table#queue tr[data-case-id]", "rows => rows.map(r => r.dataset.cameraId)");
        Assert.Equal(Enumerable.Repeat(cameraId, cases), cameras);
        Assert.Equal(cameraId, await page.InputValueAsync("#filter-camera"));
    }
}
