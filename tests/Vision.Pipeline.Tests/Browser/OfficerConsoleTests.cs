using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// The console on an officer's phone and a queue that keeps itself current, in real headless Chromium against a real
/// <c>vision run</c> with seeded cases (its camera raises none during the test).
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class OfficerConsoleTests(ITestOutputHelper output)
{
    private const string Engineer = "li", CameraId = "cam-bottles", RuleId = "litter-table";
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly List<string> _pageErrors = [];

    private static async Task<(VisionProcess Vision, IReadOnlyList<string> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work, int seeded, DateTimeOffset? newest = null)
    {
        var ids = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, seeded, withPhotos: seeded, newest: newest ?? DateTimeOffset.Now.AddMinutes(-5));
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(footage).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Engineer, "engineer");
        return (vision, ids);
    }

    private async Task<IPage> SignedInPageAsync(Chromium chromium, string baseUrl, ViewportSize? viewport = null)
    {
        var page = await chromium.NewPageAsync(baseUrl, viewport: viewport);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        await page.GotoAsync("/login");
        await page.FillAsync("#username", Engineer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, "/");
        return page;
    }

    [ChromiumSharedDataFact]
    public async Task At_390_by_844_no_page_is_wider_than_the_phone_and_nav_links_stay_whole()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, cases) = await StartAsync(work, 3);
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await SignedInPageAsync(chromium, vision.BaseUrl, Phone);

        foreach (var (path, name) in new[] { ("/", "queue"), ("/cases/" + Uri.EscapeDataString(cases[0]), "case"), ("/cameras", "cameras"), ("/map", "map") })
        {
            await page.GotoAsync(path);
            await ReviewConsoleTests.WaitReadyAsync(page);
            if (name == "queue") await page.WaitForSelectorAsync("table#queue tr[data-case-id]");
            if (name == "cameras") await page.WaitForSelectorAsync(".camera-card");
            if (name == "map") await page.WaitForSelectorAsync("svg.camera-map .map-point");
            var layout = await EvalJsonAsync(page, """
                () => JSON.stringify({
                  scrollWidth: document.scrollingElement.scrollWidth,
                  nav: [...document.querySelectorAll('.main-nav li:not([hidden]) a')].map(a => {
                    const style = getComputedStyle(a), line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
                    return { text: a.textContent, height: a.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom), line };
                  }),
                })
                """);
            output.WriteLine($"{name} at 390×844: {layout}   screenshot: {await Chromium.SaveScreenshotAsync(page, $"phone-{name}")}");
            Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= Phone.Width, $"{name}: {layout}");
            var nav = layout.GetProperty("nav").EnumerateArray().ToList();
            Assert.Equal(4, nav.Count); // queue, map, cameras, rules for an engineer
            foreach (var link in nav)
                Assert.True(link.GetProperty("height").GetDouble() <= 2 * link.GetProperty("line").GetDouble() + 0.5, $"{name}: nav link broken over lines: {link}");
        }
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, string.Join('\n', _pageErrors));
    }

    [ChromiumSharedDataFact]
    public async Task A_case_added_to_the_database_appears_in_the_open_queue_without_a_reload_and_chosen_cases_are_rejected_together()
    {
        // All in the last whole hour, so that "same camera and hour" takes the four of them.
        var now = DateTimeOffset.Now;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, now.Offset).AddHours(-1);
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, cases) = await StartAsync(work, 3, newest: hour.AddMinutes(30));
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await SignedInPageAsync(chromium, vision.BaseUrl);
        await page.WaitForSelectorAsync("table#queue tr[data-case-id]");
        Assert.Equal("(3) 待审核 — Vision", await page.TitleAsync());
        await page.EvaluateAsync("() => { window.sameDocument = true; }"); // gone if the page reloads
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the stream is open and the feed has its baseline

        // Written from outside the node, as another node of the cluster would.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string added = CaseSeeder.Seed(vision.EvidenceDirectory, CameraId, RuleId, 1, withPhotos: 1, newest: hour.AddMinutes(40))[0];
        await page.WaitForSelectorAsync($"table#queue tr.new-case[data-case-id=\"{added}\"]", new() { Timeout = 10_000 });
        output.WriteLine($"new case in the open queue after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"));
        Assert.Equal(added, await page.GetAttributeAsync("table#queue tr[data-case-id]", "data-case-id"));
        Assert.Equal("4", await page.TextContentAsync("[data-count-status=\"auto_captured\"]"));
        Assert.Equal("(4) 待审核 — Vision", await page.TitleAsync());

        // Choose the newest case's camera and hour (all four), then reject them together with one reason.
        await page.ClickAsync("table#queue tr[data-case-id] td.select-cell input");
        await page.ClickAsync("#choose-camera-hour");
        Assert.Equal("已勾选 4 条", await page.TextContentAsync(".bulk-count"));
        await page.ClickAsync("#bulk-reject");
        await page.WaitForSelectorAsync("#reject-dialog[open]");
        await page.Keyboard.PressAsync("3"); // duplicate
        await page.WaitForSelectorAsync("#bulk-result:not([hidden])");
        output.WriteLine($"bulk result: {await page.TextContentAsync("#bulk-result")}");
        Assert.Contains("已记录 4 条", await page.TextContentAsync("#bulk-result"));
        await page.WaitForFunctionAsync("() => document.querySelector('[data-count-status=\"auto_captured\"]').textContent === '0'");
        Assert.Equal("4", await page.TextContentAsync("[data-count-status=\"rejected\"]"));
        foreach (string id in cases.Append(added))
        {
            using var api = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer);
            var detail = await api.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(id)}");
            Assert.Equal(("rejected", "duplicate"), (detail.GetProperty("status").GetString(), detail.GetProperty("statusReason").GetString()));
        }
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, string.Join('\n', _pageErrors));
    }

    private static async Task<JsonElement> EvalJsonAsync(IPage page, string script, object? arg = null)
    {
        string json = await page.EvaluateAsync<string>(script, arg);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
