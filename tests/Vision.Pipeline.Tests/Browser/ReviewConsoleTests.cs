using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// The officer review console end to end: a real <c>vision run</c> on the shared bottle footage (cases after
/// 10–20 s) driven by real headless Chromium, as an officer, an engineer and an admin would use it. Outcomes are
/// checked in the page and through the JSON API; the measurements (time-to-interactive with 10,000 cases, a
/// 50-case keyboard review) are printed and appended to <c>artifacts/console-figures.txt</c>, never asserted.
/// </summary>
[Collection(LiveCamerasCollection.Name)]
public sealed class ReviewConsoleTests(ITestOutputHelper output)
{
    private const string Officer = "zhang", Engineer = "li";
    private const string CameraId = "cam-bottles", RuleId = "litter-table";
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(90);

    private readonly List<string> _pageErrors = [];

    private static Task<string> FootageAsync() => TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);

    // ---- 1. sign-in ----

    [ChromiumSharedDataFact]
    public async Task Sign_in_is_required_wrong_passwords_are_refused_and_five_failures_throttle_the_address()
    {
        using var work = new WorkDirectory();
        await using var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(await FootageAsync()), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Engineer, "engineer");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);

        // Any page without a session goes to the sign-in page, which remembers where the user was going.
        await page.GotoAsync("/cases/" + Uri.EscapeDataString("cam-bottles-20260101T000000-00000001"));
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync("/");
        var landed = new Uri(page.Url);
        Assert.Equal("/login", landed.AbsolutePath);
        Assert.Equal("?returnUrl=%2F", landed.Query);
        Assert.Equal(401, await FetchStatusAsync(page, "/api/cases"));

        // Wrong password: refused, the error is shown, still on the sign-in page.
        var first = await SubmitSignInAsync(page, Engineer, "not the password");
        Assert.Equal((401, "wrong_credentials"), first);
        Assert.Equal("用户名或密码错误", await page.TextContentAsync("#login-error"));
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);

        // Four more failures are still "wrong"; after five this address is refused for a while, the right password too.
        for (int attempt = 2; attempt <= 5; attempt++)
        {
            Assert.Equal((401, "wrong_credentials"), await SubmitSignInAsync(page, Engineer, $"guess {attempt}"));
            Assert.Equal("用户名或密码错误", await page.TextContentAsync("#login-error"));
        }
        Assert.Equal((429, "too_many_attempts"), await SubmitSignInAsync(page, Engineer, ConsoleApiTests.Password));
        string throttled = (await page.TextContentAsync("#login-error"))!;
        Assert.StartsWith("失败次数过多", throttled);
        output.WriteLine($"after 5 failures: {throttled}");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        Assert.Equal(401, await FetchStatusAsync(page, "/api/session"));

        // The throttle is per address, not a lock on the account: the engineer signs in from another address at once.
        using var elsewhere = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Engineer, sourceAddress: "127.0.0.7");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await elsewhere.Http.GetAsync("/api/cases")).StatusCode);
        AssertNoPageErrors();
    }

    // ---- 2. keyboard review ----

    [ChromiumSharedDataFact]
    public async Task Officer_reviews_the_queue_with_the_keyboard_only_audited_and_counted_in_rule_precision()
    {
        // One older case of the same rule is seeded, for the precision check below (the footage's third case takes ~40 s).
        using var work = new WorkDirectory();
        string older = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, 1, withPhotos: 1, newest: DateTimeOffset.Now.AddHours(-1))[0];
        await using var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(await FootageAsync()), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        ConsoleApiTests.AddUser(vision.ConfigPath, Engineer, "engineer");
        using var officer = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        var clock = Stopwatch.StartNew();
        await vision.WaitUntilAsync(async () => await PendingAsync(officer) >= 3, CaseTimeout, "two cases from the footage beside the seeded one");
        output.WriteLine($"two cases from the footage after {clock.Elapsed.TotalSeconds:0.0} s");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);

        // Credentials typed and Enter: from here on only keys.
        await page.GotoAsync("/");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#username", Officer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await WaitForLandingAsync(page, "/");

        string[] queue = await page.EvalOnSelectorAllAsync<string[]>("table#queue tr[data-case-id]", "rows => rows.map(r => r.dataset.caseId)");
        Assert.True(queue.Length >= 3, $"queue rows: {queue.Length}");
        Assert.Equal(older, queue[^1]);
        Assert.Equal(queue[0], await page.GetAttributeAsync("table#queue tr.selected", "data-case-id"));
        Assert.Equal(queue.Length.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("[data-count-status=\"auto_captured\"]"));
        Assert.Equal("0", await page.TextContentAsync("[data-count-status=\"confirmed\"]"));
        await WaitForImagesAsync(page, "table#queue tr[data-case-id] img");
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(page, "review-queue")}");

        // Enter opens the selected (newest) case.
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("id => document.body.dataset.caseId === id && window.visionReady === true", queue[0]);
        Assert.Equal("/cases/" + queue[0], new Uri(page.Url).AbsolutePath);
        Assert.Equal("auto_captured", await page.GetAttributeAsync("#case-status", "data-status"));
        await WaitForImagesAsync(page, "#photos img");
        // The clip (when the case has one) shows its frame at the moment of confirmation.
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video#clip'); return !v || (v.readyState >= 2 && !v.seeking && v.currentTime > 0); }");
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(page, "review-case")}");

        // C confirms and moves on to the next case of the queue.
        await page.Keyboard.PressAsync("c");
        await WaitForCaseChangeAsync(page, queue[0]);
        // The next case is the one after it in the queue the officer saw, or, when a case confirmed a moment earlier
        // arrived since (its evidence took longer), the one after it in the server's order now.
        string second = (await CurrentCaseAsync(page))!;
        string[] expectedNext = [queue[1], await PendingCaseAfterAsync(officer, queue[0])];
        Assert.Contains(second, expectedNext);
        Assert.Equal("/cases/" + second, new Uri(page.Url).AbsolutePath);
        Assert.Equal("auto_captured", await page.GetAttributeAsync("#case-status", "data-status"));

        // R opens the reasons; 1 rejects at once as a false detection, then the view moves on (or shows the new status at the end).
        await page.Keyboard.PressAsync("r");
        await page.WaitForSelectorAsync("#reject-dialog[open]");
        await page.Keyboard.PressAsync("1");
        await page.WaitForFunctionAsync(
            "id => document.body.dataset.caseId !== id || document.querySelector('#case-status')?.dataset.status === 'rejected'", second);
        await page.WaitForSelectorAsync("#reject-dialog:not([open])", new() { State = WaitForSelectorState.Attached });
        Assert.Equal("success", await page.GetAttributeAsync("#toast", "data-kind"));

        // The decisions, their audit entries and the counts, through the JSON API.
        var confirmed = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(queue[0])}");
        var rejected = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(second)}");
        Assert.Equal("confirmed", confirmed.GetProperty("status").GetString());
        Assert.Equal(("rejected", "false_detection"), (rejected.GetProperty("status").GetString(), rejected.GetProperty("statusReason").GetString()));
        foreach (var (detail, status, reason) in new[] { (confirmed, "confirmed", (string?)null), (rejected, "rejected", "false_detection") })
        {
            var history = detail.GetProperty("history").EnumerateArray().ToList();
            Assert.Equal("auto_captured", history[0].GetProperty("status").GetString());
            var audit = history[^1];
            Assert.Equal((status, Officer, reason), (audit.GetProperty("status").GetString(), audit.GetProperty("actor").GetString(), audit.GetProperty("reason").GetString()));
            Assert.Contains("127.0.0.1", audit.GetProperty("address").GetString());
            Assert.True(DateTime.UtcNow - audit.GetProperty("at").GetDateTime() < TimeSpan.FromMinutes(2), audit.GetRawText());
        }
        var counts = (await officer.Http.GetFromJsonAsync<JsonElement>("/api/cases")).GetProperty("counts");
        Assert.Equal((1, 1), (counts.GetProperty("confirmed").GetInt32(), counts.GetProperty("rejected").GetInt32()));

        // The engineer sees the rule at 50 % precision: not below 50 %, so the row is not marked.
        var rules = await SignInAsync(chromium, vision.BaseUrl, Engineer, "/rules");
        string row = $"#rule-stats tr[data-rule-id=\"{RuleId}\"][data-camera-id=\"{CameraId}\"]";
        await rules.WaitForSelectorAsync(row);
        Assert.Equal("0.5", await rules.GetAttributeAsync(row + " .precision-cell", "data-precision"));
        Assert.Contains("50%", await rules.TextContentAsync(row + " .precision-cell"));
        Assert.Equal(("1", "1"), (await rules.TextContentAsync(row + " td:nth-of-type(4)"), await rules.TextContentAsync(row + " td:nth-of-type(5)")));
        Assert.DoesNotContain("low-precision", await rules.GetAttributeAsync(row, "class") ?? "");
        Assert.Null(await rules.QuerySelectorAsync(row + " .low-flag"));

        // One more rejection (the seeded case, through the API) takes it below 50 %: now the row is marked, in text as well as colour.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await officer.PostAsync($"/api/cases/{Uri.EscapeDataString(older)}/reject", new { reason = "duplicate" })).StatusCode);
        await rules.ReloadAsync();
        await WaitReadyAsync(rules);
        await rules.WaitForSelectorAsync(row);
        Assert.StartsWith("0.333", await rules.GetAttributeAsync(row + " .precision-cell", "data-precision"));
        Assert.Contains("low-precision", await rules.GetAttributeAsync(row, "class") ?? "");
        Assert.NotNull(await rules.QuerySelectorAsync(row + " .low-flag"));
        AssertNoPageErrors();
    }

    // ---- 3. the clip and photos ----

    [ChromiumSharedDataFact]
    public async Task Case_view_plays_the_clip_from_the_confirmation_moment_and_loads_the_photos()
    {
        using var work = new WorkDirectory();
        await using var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(await FootageAsync()), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        using var api = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        string caseId = "";
        await vision.WaitUntilAsync(async () =>
        {
            var withClip = vision.Cases().FirstOrDefault(c => c.GetProperty("evidence").TryGetProperty("clip", out var clip) && clip.ValueKind == JsonValueKind.Object);
            if (withClip.ValueKind != JsonValueKind.Object) return false;
            caseId = withClip.GetProperty("caseId").GetString()!;
            return (await api.Http.GetAsync($"/api/cases/{Uri.EscapeDataString(caseId)}")).IsSuccessStatusCode;
        }, CaseTimeout, "a case with a clip");
        await using var chromium = await Chromium.LaunchAsync();
        string path = "/cases/" + Uri.EscapeDataString(caseId);
        var page = await SignInAsync(chromium, vision.BaseUrl, Officer, path);
        await page.WaitForFunctionAsync("id => document.body.dataset.caseId === id", caseId);

        var detail = await EvalJsonAsync(page, "async id => JSON.stringify(await (await fetch('/api/cases/' + encodeURIComponent(id))).json())", caseId);
        var clip = detail.GetProperty("clip");
        double offset = clip.GetProperty("confirmationOffsetSeconds").GetDouble(), duration = clip.GetProperty("durationSeconds").GetDouble();
        output.WriteLine($"clip: {clip.GetRawText()}");
        Assert.True(offset > 0 && offset < duration - 1, $"confirmation at {offset} s of {duration} s");

        // On loadedmetadata the view seeks to the moment of confirmation.
        await page.WaitForFunctionAsync(
            "offset => { const v = document.querySelector('video#clip'); return v && v.readyState >= 1 && !v.seeking && Math.abs(v.currentTime - offset) < 0.3; }", offset);
        double start = await page.EvalOnSelectorAsync<double>("video#clip", "v => v.currentTime");
        Assert.True(await page.EvalOnSelectorAsync<bool>("video#clip", "v => v.paused"), "the clip waits for the officer");

        // Space plays: the playing state, and time advancing from there.
        await page.Keyboard.PressAsync("Space");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video#clip'); return !v.paused && v.readyState >= 3; }");
        double playingAt = await page.EvalOnSelectorAsync<double>("video#clip", "v => v.currentTime");
        await page.WaitForFunctionAsync("from => document.querySelector('video#clip').currentTime >= from + 0.5", playingAt);
        var state = await EvalJsonAsync(page, """
            () => { const v = document.querySelector('video#clip'); const q = v.getVideoPlaybackQuality();
              return JSON.stringify({ currentTime: v.currentTime, duration: v.duration, paused: v.paused, readyState: v.readyState,
                width: v.videoWidth, height: v.videoHeight, frames: q.totalVideoFrames, error: v.error && v.error.message }); }
            """);
        output.WriteLine($"confirmation offset {offset:0.00} s, seeked to {start:0.00} s, playing from {playingAt:0.00} s; now {state.GetRawText()}");
        Assert.True(Math.Abs(start - offset) < 0.3, $"started at {start}, confirmation at {offset}");
        Assert.True(playingAt - offset is > -0.3 and < 1.5, $"playing from {playingAt}, confirmation at {offset}");
        Assert.True(state.GetProperty("width").GetInt32() > 0 && state.GetProperty("frames").GetInt32() > 0, state.GetRawText());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("error").ValueKind);

        // Space again pauses.
        await page.Keyboard.PressAsync("Space");
        await page.WaitForFunctionAsync("() => document.querySelector('video#clip').paused");

        // Every photo loads and decodes.
        int photos = await WaitForImagesAsync(page, "#photos img");
        Assert.Equal(detail.GetProperty("photos").GetArrayLength(), photos);
        Assert.True(photos >= 1);
        string[] roles = await page.EvalOnSelectorAllAsync<string[]>("#photos img", "images => images.map(i => i.dataset.role)");
        Assert.All(roles, role => Assert.False(string.IsNullOrEmpty(role)));
        output.WriteLine($"photos: {photos} ({string.Join(", ", roles)})");
        AssertNoPageErrors();
    }

    // ---- 4. roles and expiring evidence links ----

    [ChromiumSharedDataFact]
    public async Task Officer_cannot_reach_admin_pages_and_evidence_links_expire()
    {
        using var work = new WorkDirectory();
        await using var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(await FootageAsync(), presignExpiry: "3s"), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await SignInAsync(chromium, vision.BaseUrl, Officer, "/");

        // The header shows the officer only the queue and the map.
        await page.WaitForFunctionAsync("() => !document.querySelector('[data-nav=\"queue\"]').closest('li').hidden");
        foreach (string nav in new[] { "cameras", "rules", "users" })
            Assert.True(await page.EvalOnSelectorAsync<bool>($"[data-nav=\"{nav}\"]", "a => a.closest('li').hidden"), $"{nav} link shown to an officer");

        // Typed addresses: the server refuses the pages with 403 and the console shell, which says "not allowed"
        // in the officer's language instead of mounting the page; the APIs answer 403.
        foreach (string adminPage in new[] { "/admin/users", "/rules", "/cameras" })
        {
            var tab = await page.Context.NewPageAsync(); // same session
            var response = await tab.GotoAsync(adminPage);
            Assert.Equal(403, response!.Status);
            await tab.WaitForFunctionAsync("() => window.visionReady === true");
            string shown = await tab.EvaluateAsync<string>("() => document.body.innerText.replace(/\\s+/g, ' ').slice(0, 400)");
            output.WriteLine($"{adminPage} as an officer: {response.Status}; the console shows: {shown}");
            Assert.Contains("无权访问", shown);
            Assert.Null(await tab.QuerySelectorAsync("#users, #rule-stats, .camera-card"));
            if (adminPage == "/admin/users") output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(tab, "review-officer-admin-users")}");
            await tab.CloseAsync();
        }
        Assert.Equal(403, await FetchStatusAsync(page, "/api/users"));
        Assert.Equal(403, await FetchStatusAsync(page, "/api/rules/stats"));

        // Inside the console (no reload), the shell says the page is not allowed instead of mounting it.
        await page.GotoAsync("/");
        await WaitReadyAsync(page);
        await page.EvaluateAsync("() => { history.pushState(null, '', '/admin/users'); dispatchEvent(new PopStateEvent('popstate')); }");
        await WaitReadyAsync(page);
        Assert.Equal("无权访问", (await page.TextContentAsync("#view .page-message"))?.Trim());
        Assert.Null(await page.QuerySelectorAsync("#users"));

        // Evidence links live presign_expiry (3 s here): the photo loads and fetches now, and is refused after.
        using var api = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        await vision.WaitUntilAsync(async () => await PendingAsync(api) >= 1, CaseTimeout, "a case");
        string caseId = (await api.Http.GetFromJsonAsync<JsonElement>("/api/cases?status=auto_captured")).GetProperty("items")[0].GetProperty("caseId").GetString()!;
        long requestedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await page.GotoAsync("/cases/" + Uri.EscapeDataString(caseId));
        await WaitReadyAsync(page);
        string src = (await page.GetAttributeAsync("#photos img", "src"))!;
        var now = await FetchAsync(page, src); // at once: the link lives 3–4 s from when the case was fetched
        long expires = long.Parse(System.Web.HttpUtility.ParseQueryString(new Uri(new Uri(vision.BaseUrl), src).Query)["exp"]!, CultureInfo.InvariantCulture);
        output.WriteLine($"photo {src}: {now.GetRawText()}");
        Assert.InRange(expires - requestedAt, 2, 8); // seconds, not the default 10 minutes
        Assert.True(now.GetProperty("at").GetInt64() / 1000 <= expires, "fetched within the link's lifetime");
        Assert.Equal(200, now.GetProperty("status").GetInt32());
        Assert.Equal("image/jpeg", now.GetProperty("type").GetString());
        Assert.True(now.GetProperty("bytes").GetInt32() > 1000, now.GetRawText());
        await WaitForImagesAsync(page, "#photos img"); // and the page's own <img> elements loaded them

        // The link's lifetime is the point: wait out its expiry second on the clock the server signs with.
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= expires) await Task.Delay(200);
        await Task.Delay(300);
        var later = await FetchAsync(page, src);
        output.WriteLine($"after expiry: {later.GetRawText()}");
        Assert.Equal(403, later.GetProperty("status").GetInt32());
        Assert.Contains("expired", later.GetProperty("body").GetString());
        // The browser's own image load of the expired link fails too (a fresh URL, so not from its cache).
        Assert.False(await page.EvaluateAsync<bool>("""
            src => new Promise(resolve => { const i = new Image(); i.onload = () => resolve(true); i.onerror = () => resolve(false); i.src = src + '&again=1'; })
            """, src));
        AssertNoPageErrors();
    }

    // ---- 5. measurements with 10,000 cases ----

    [ChromiumSharedDataFact]
    public async Task Measure_queue_time_to_interactive_and_a_50_case_keyboard_review_with_10000_cases()
    {
        const int Seeded = 10_000, Reviewed = 50;
        using var work = new WorkDirectory();
        var seedClock = Stopwatch.StartNew();
        var ids = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, Seeded, withPhotos: 120, newest: DateTimeOffset.Now);
        output.WriteLine($"seeded {ids.Count} cases in {seedClock.Elapsed.TotalSeconds:0.0} s");

        // The camera runs on the footage as usual, but with a dwell no object reaches in this test, so the counts stay exact.
        string config = ConsoleApiTests.Config(await FootageAsync()).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal);
        await using var vision = await VisionProcess.StartAsync(config, workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);
        // Records, in the page, when the console declares itself ready (ms since navigation start).
        await page.Context.AddInitScriptAsync("""
            (() => { let ready = false; Object.defineProperty(window, 'visionReady', { configurable: true, get: () => ready,
              set: value => { ready = value; if (value === true && window.__visionReadyAt === undefined) window.__visionReadyAt = performance.now(); } }); })()
            """);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", Officer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await WaitForLandingAsync(page, "/");

        // (a) Time to interactive: page.GotoAsync("/") until window.visionReady, three times.
        var wall = new List<double>();
        var inPage = new List<double>();
        for (int run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync("/", new() { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => window.visionReady === true");
            clock.Stop();
            wall.Add(clock.Elapsed.TotalMilliseconds);
            inPage.Add(await page.EvaluateAsync<double>("() => window.__visionReadyAt"));
            Assert.Equal(Seeded.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("[data-count-status=\"auto_captured\"]"));
            Assert.Equal(Seeded.ToString(CultureInfo.InvariantCulture), await page.TextContentAsync("[data-count-status=\"all\"]"));
            Assert.Equal(50, (await page.QuerySelectorAllAsync("table#queue tr[data-case-id]")).Count);
            Assert.Equal(ids[0], await page.GetAttributeAsync("table#queue tr.selected", "data-case-id"));
        }
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(page, "review-queue-10000")}");
        string tti = $"queue time-to-interactive with {Seeded:N0} cases: median {Median(wall):0} ms (GotoAsync → window.visionReady; runs {string.Join(", ", wall.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} ms), "
            + $"in-page navigation start → ready median {Median(inPage):0} ms (runs {string.Join(", ", inPage.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} ms)";
        Report(tti);

        // (b) 50 decisions by keyboard only: Enter opens the newest case, then C or R 1, each time until the next case shows.
        using var api = await ConsoleApiTests.SignInAsync(vision.BaseUrl, Officer);
        var before = (await api.Http.GetFromJsonAsync<JsonElement>("/api/cases")).GetProperty("counts");
        int decidedBefore = before.GetProperty("confirmed").GetInt32() + before.GetProperty("rejected").GetInt32();
        var decided = new List<(string CaseId, bool Reject)>();
        var perDecision = new List<double>();
        var review = Stopwatch.StartNew();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("id => document.body.dataset.caseId === id && window.visionReady === true", ids[0]);
        double opened = review.Elapsed.TotalMilliseconds;
        for (int i = 0; i < Reviewed; i++)
        {
            string current = (await CurrentCaseAsync(page))!;
            bool reject = i % 3 == 2;
            var step = Stopwatch.StartNew();
            if (reject)
            {
                await page.Keyboard.PressAsync("r");
                await page.WaitForSelectorAsync("#reject-dialog[open]");
                await page.Keyboard.PressAsync("1");
            }
            else
            {
                await page.Keyboard.PressAsync("c");
            }
            await WaitForCaseChangeAsync(page, current);
            perDecision.Add(step.Elapsed.TotalMilliseconds);
            decided.Add((current, reject));
        }
        review.Stop();
        double seconds = review.Elapsed.TotalSeconds;
        Report($"keyboard review of {Reviewed} cases ({decided.Count(d => !d.Reject)} C, {decided.Count(d => d.Reject)} R 1) with {Seeded:N0} queued: "
            + $"{seconds:0.0} s end to end ({Reviewed / seconds * 60:0} cases/min); open newest {opened:0} ms; per decision until the next case shows "
            + $"median {Median(perDecision):0} ms, max {perDecision.Max():0} ms");

        // Exactly those 50 cases, the newest 50 in order, changed status, each as decided.
        Assert.Equal(ids.Take(Reviewed), decided.Select(d => d.CaseId));
        Assert.Equal(ids[Reviewed], await CurrentCaseAsync(page));
        var after = (await api.Http.GetFromJsonAsync<JsonElement>("/api/cases")).GetProperty("counts");
        Assert.Equal(decidedBefore + Reviewed, after.GetProperty("confirmed").GetInt32() + after.GetProperty("rejected").GetInt32());
        Assert.Equal(Seeded - Reviewed, after.GetProperty("auto_captured").GetInt32());
        var confirmedIds = await StatusIdsAsync(api, "confirmed");
        var rejectedIds = await StatusIdsAsync(api, "rejected");
        Assert.Equal(decided.Where(d => !d.Reject).Select(d => d.CaseId).Order(), confirmedIds.Order());
        Assert.Equal(decided.Where(d => d.Reject).Select(d => d.CaseId).Order(), rejectedIds.Order());
        var sample = await api.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(decided.First(d => d.Reject).CaseId)}");
        Assert.Equal("false_detection", sample.GetProperty("statusReason").GetString());
        Assert.Equal(Officer, sample.GetProperty("history").EnumerateArray().Last().GetProperty("actor").GetString());
        AssertNoPageErrors();
    }

    // ---- helpers ----

    private async Task<IPage> NewPageAsync(Chromium chromium, string baseUrl)
    {
        var page = await chromium.NewPageAsync(baseUrl);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        return page;
    }

    /// <summary>Signs in through the sign-in page (returnUrl <paramref name="path"/>) and waits for that route's first render.</summary>
    private async Task<IPage> SignInAsync(Chromium chromium, string baseUrl, string user, string path)
    {
        var page = await NewPageAsync(chromium, baseUrl);
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(path));
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await WaitForLandingAsync(page, path);
        return page;
    }

    /// <summary>Submits the sign-in form with Enter; returns the API's status and error code once the page shows its message.</summary>
    internal static async Task<(int Status, string? Error)> SubmitSignInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        var response = await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("Enter"),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/api/session");
        var body = await response.JsonAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('login-error').textContent !== '' && !document.getElementById('login-submit').disabled");
        return (response.Status, body?.TryGetProperty("error", out var error) == true ? error.GetString() : null);
    }

    /// <summary>
    /// After a sign-in: waits until the page has left for <paramref name="path"/> (path and query) and that route has
    /// rendered. Polls in the page (Playwright re-runs it in the new document), so a navigation that commits before
    /// the wait starts is not missed.
    /// </summary>
    internal static async Task WaitForLandingAsync(IPage page, string path)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "path => location.pathname + location.search === path && window.visionReady === true && document.body.dataset.ready === '1'", path);
        }
        catch (TimeoutException e)
        {
            string? message = await page.EvaluateAsync<string?>("() => document.getElementById('login-error')?.textContent ?? null");
            throw new TimeoutException($"did not reach {path}: at {page.Url}, sign-in message '{message}'", e);
        }
    }

    internal static Task WaitReadyAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.visionReady === true && document.body.dataset.ready === '1'");

    private static Task WaitForCaseChangeAsync(IPage page, string from) =>
        page.WaitForFunctionAsync("id => document.body.dataset.caseId !== undefined && document.body.dataset.caseId !== id", from);

    /// <summary>The case awaiting review that the server's newest-first order puts right after caseId.</summary>
    private static async Task<string> PendingCaseAfterAsync(ConsoleApiTests.Session officer, string caseId)
    {
        var detail = await officer.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(caseId)}");
        var at = detail.GetProperty("confirmedAt").GetDateTime();
        var pending = (await officer.Http.GetFromJsonAsync<JsonElement>("/api/cases?status=auto_captured&pageSize=200")).GetProperty("items").EnumerateArray();
        return pending
            .Select(item => (Id: item.GetProperty("caseId").GetString()!, At: item.GetProperty("confirmedAt").GetDateTime()))
            .First(item => item.At < at || (item.At == at && string.CompareOrdinal(item.Id, caseId) < 0)).Id;
    }

    private static Task<string?> CurrentCaseAsync(IPage page) => page.EvaluateAsync<string?>("() => document.body.dataset.caseId ?? null");

    /// <summary>Waits until every image the selector matches has loaded and decoded (naturalWidth &gt; 0); returns how many.</summary>
    private static async Task<int> WaitForImagesAsync(IPage page, string selector)
    {
        await page.WaitForFunctionAsync("""
            selector => { const images = [...document.querySelectorAll(selector)];
              return images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0); }
            """, selector);
        return (await page.QuerySelectorAllAsync(selector)).Count;
    }

    internal static Task<int> FetchStatusAsync(IPage page, string url) =>
        page.EvaluateAsync<int>("async url => (await fetch(url, { cache: 'no-store', credentials: 'same-origin' })).status", url);

    /// <summary>GET from the page (its cookies, no HTTP cache): status, content type, body (text ones), and when (ms since the epoch).</summary>
    private static Task<JsonElement> FetchAsync(IPage page, string url) => EvalJsonAsync(page, """
        async url => { const at = Date.now(); const r = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
          const type = r.headers.get('content-type'); const body = type && type.startsWith('image/') ? '' : await r.text();
          return JSON.stringify({ status: r.status, type, body, at, bytes: type && type.startsWith('image/') ? (await r.arrayBuffer()).byteLength : body.length }); }
        """, url);

    private static async Task<JsonElement> EvalJsonAsync(IPage page, string script, object? arg = null)
    {
        string json = await page.EvaluateAsync<string>(script, arg);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static async Task<int> PendingAsync(ConsoleApiTests.Session api) =>
        (await api.Http.GetFromJsonAsync<JsonElement>("/api/cases?status=auto_captured")).GetProperty("total").GetInt32();

    private static async Task<List<string>> StatusIdsAsync(ConsoleApiTests.Session api, string status)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>($"/api/cases?status={status}&pageSize=200");
        Assert.True(page.GetProperty("total").GetInt32() <= 200);
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("caseId").GetString()!).ToList();
    }

    private void AssertNoPageErrors()
    {
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, "uncaught errors in the page:\n" + string.Join('\n', _pageErrors));
    }

    private void Report(string figure)
    {
        output.WriteLine(figure);
        string path = Path.Combine(SharedData.ProjectRoot, "artifacts", "console-figures.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.AppendAllText(path, $"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}  {Environment.ProcessorCount} cores  {figure}{Environment.NewLine}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// A work folder for one vision process (config, evidence/ with vision.db and the local store, recordings/),
    /// deleted after the test; declared before the process so that it is disposed after it.
    /// </summary>
    internal sealed class WorkDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vision-console-").FullName;

        /// <summary>WORK/evidence, created, for seeding before vision starts.</summary>
        public string Evidence => Directory.CreateDirectory(System.IO.Path.Combine(Path, "evidence")).FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
