using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// What a hostile pass found in the console, checked in real headless Chromium against a real <c>vision run</c> with
/// seeded cases: sign-in never sends the browser to another site, sign-out ends the session for every copy of its
/// cookie, a decision on a case that changed meanwhile is refused (409) and changing a decision asks for a reason,
/// and every response carries the security headers while the console runs under its Content-Security-Policy.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class ConsoleHardeningTests(ITestOutputHelper output)
{
    private const string Officer = "zhang", OtherOfficer = "wang";
    private const string CameraId = "cam-bottles", RuleId = "litter-table";

    private readonly List<string> _pageErrors = [];

    /// <summary>A node with <paramref name="seeded"/> auto-captured cases (newest first) and a camera that raises none during the test.</summary>
    private static async Task<(VisionProcess Vision, IReadOnlyList<string> Cases)> StartAsync(ReviewConsoleTests.WorkDirectory work, int seeded)
    {
        var ids = CaseSeeder.Seed(work.Evidence, CameraId, RuleId, seeded, withPhotos: seeded, newest: DateTimeOffset.Now.AddMinutes(-5));
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(footage).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        return (vision, ids);
    }

    private async Task<IPage> NewPageAsync(Chromium chromium, string baseUrl)
    {
        var page = await chromium.NewPageAsync(baseUrl);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        return page;
    }

    private static async Task SignInOnPageAsync(IPage page, string loginAddress, string landing)
    {
        await page.GotoAsync(loginAddress);
        await page.FillAsync("#username", Officer);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, landing);
    }

    [ChromiumSharedDataFact]
    public async Task Sign_in_with_a_return_url_to_another_site_lands_in_the_console()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        string host = new Uri(vision.BaseUrl).Authority;

        // The browser drops the tab of the first and reads "\" as "/" in the second: both would be "//evil.host".
        foreach (string returnUrl in new[] { "%2F%09%2Fevil.host%2F", "%2F%5Cevil.host%2F", "%2F%2Fevil.host", "https%3A%2F%2Fevil.host%2F", "%2F%0A%2Fevil.host" })
        {
            var page = await NewPageAsync(chromium, vision.BaseUrl);
            await SignInOnPageAsync(page, "/login?returnUrl=" + returnUrl, "/");
            var at = new Uri(page.Url);
            output.WriteLine($"returnUrl={returnUrl} → {page.Url}");
            Assert.Equal((host, "/"), (at.Authority, at.AbsolutePath));
            await page.Context.CloseAsync();
        }

        // The server gives the same answer to a client that trusts it.
        using var api = ConsoleApiTests.ClientFrom(vision.BaseUrl, "127.0.0.1");
        var signIn = await api.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password, returnUrl = "/\t/evil.host/" });
        Assert.Equal("/", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("returnUrl").GetString());
        var local = await api.PostAsJsonAsync("/api/session", new { username = Officer, password = ConsoleApiTests.Password, returnUrl = "/cases/a-1?x=1" });
        Assert.Equal("/cases/a-1?x=1", (await local.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("returnUrl").GetString());
        AssertNoPageErrors();
    }

    [ChromiumSharedDataFact]
    public async Task Signing_out_ends_the_session_for_a_cookie_saved_before()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, _) = await StartAsync(work, 1);
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);
        await SignInOnPageAsync(page, "/login", "/");

        // Someone copies the session cookie (a shared PC, a stolen backup of the profile) ...
        string cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "vision.session").Value;
        using var copy = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(vision.BaseUrl) };
        copy.DefaultRequestHeaders.Add("Cookie", "vision.session=" + cookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/cases")).StatusCode);

        // ... and the officer signs out with the header's button.
        await page.ClickAsync("#sign-out");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/session")).StatusCode);
        AssertNoPageErrors();
    }

    [ChromiumSharedDataFact]
    public async Task A_decision_on_a_case_changed_meanwhile_is_refused_and_changing_a_decision_asks_for_a_reason()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 3);
        await using var _ = vision;
        ConsoleApiTests.AddUser(vision.ConfigPath, OtherOfficer, "officer");
        using var other = await ConsoleApiTests.SignInAsync(vision.BaseUrl, OtherOfficer, sourceAddress: "127.0.0.5");
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);
        string caseId = ids[0], path = "/cases/" + Uri.EscapeDataString(caseId);
        await SignInOnPageAsync(page, "/login?returnUrl=" + Uri.EscapeDataString(path), path);
        await page.WaitForFunctionAsync("id => document.body.dataset.caseId === id", caseId);
        Assert.Equal("auto_captured", await page.GetAttributeAsync("#case-status", "data-status"));

        // The other officer confirms the case while it is open here; rejecting it from the stale page is refused
        // with a clear message, and the page shows the case as it is now.
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync($"/api/cases/{Uri.EscapeDataString(caseId)}/confirm", new { })).StatusCode);
        await page.Keyboard.PressAsync("r");
        await page.WaitForSelectorAsync("#reject-dialog[open]");
        var refused = await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("1"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/reject", StringComparison.Ordinal));
        Assert.Equal(409, refused.Status);
        await page.WaitForFunctionAsync("() => document.querySelector('#case-status')?.dataset.status === 'confirmed'");
        Assert.Equal(caseId, await page.EvaluateAsync<string>("() => document.body.dataset.caseId"));
        Assert.Equal("error", await page.GetAttributeAsync("#toast", "data-kind"));
        string toast = (await page.TextContentAsync("#toast"))!;
        output.WriteLine($"409 shown as: {toast}");
        Assert.Contains("已被他人更改", toast);
        var detail = await other.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(caseId)}");
        Assert.Equal(("confirmed", OtherOfficer), (detail.GetProperty("status").GetString(), detail.GetProperty("history").EnumerateArray().Last().GetProperty("actor").GetString()));

        // Back on a decided case, R asks first: Esc keeps the decision as it is.
        await page.Keyboard.PressAsync("r");
        await page.WaitForSelectorAsync("#change-dialog[open]");
        Assert.Null(await page.QuerySelectorAsync("#reject-dialog[open]"));
        Assert.Contains(OtherOfficer, await page.TextContentAsync("#change-message"));
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync("#change-dialog:not([open])", new() { State = WaitForSelectorState.Attached });
        Assert.Equal("confirmed", await page.GetAttributeAsync("#case-status", "data-status"));

        // C asks too, and an empty reason is not accepted.
        await page.Keyboard.PressAsync("c");
        await page.WaitForSelectorAsync("#change-dialog[open]");
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("请填写更改原因", (await page.TextContentAsync("#change-dialog .dialog-error"))?.Trim());
        await page.Keyboard.PressAsync("Escape");

        // With a reason, R goes on to the reject reasons; the change and its reason are in the case's history.
        const string Why = "复核：车辆为执法车辆";
        await page.Keyboard.PressAsync("r");
        await page.WaitForSelectorAsync("#change-dialog[open]");
        await page.FillAsync("#change-reason", Why);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#reject-dialog[open]");
        var changed = await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("2"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/reject", StringComparison.Ordinal));
        Assert.Equal(200, changed.Status);
        detail = await other.Http.GetFromJsonAsync<JsonElement>($"/api/cases/{Uri.EscapeDataString(caseId)}");
        var last = detail.GetProperty("history").EnumerateArray().Last();
        output.WriteLine($"history: {detail.GetProperty("history").GetRawText()}");
        Assert.Equal(("rejected", "permitted", Officer), (last.GetProperty("status").GetString(), last.GetProperty("reason").GetString(), last.GetProperty("actor").GetString()));
        Assert.Equal(("confirmed", Why), (last.GetProperty("changedFrom").GetString(), last.GetProperty("changeReason").GetString()));

        // Through the API as well: no silent change of a decision, and no decision on a version that is gone.
        long version = detail.GetProperty("version").GetInt64();
        var silent = await other.PostAsync($"/api/cases/{Uri.EscapeDataString(caseId)}/confirm", new { });
        Assert.Equal(HttpStatusCode.Conflict, silent.StatusCode);
        Assert.Contains("change_needs_confirmation", await silent.Content.ReadAsStringAsync());
        var stale = await other.PostAsync($"/api/cases/{Uri.EscapeDataString(ids[1])}/confirm", new { expectedVersion = 7 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("case_changed", await stale.Content.ReadAsStringAsync());
        var deliberate = await other.PostAsync($"/api/cases/{Uri.EscapeDataString(caseId)}/confirm", new { expectedVersion = version, confirmChange = true, changeReason = "the permit expired" });
        Assert.Equal(HttpStatusCode.OK, deliberate.StatusCode);
        AssertNoPageErrors();
    }

    [ChromiumSharedDataFact]
    public async Task Every_response_carries_the_security_headers_and_the_console_runs_under_its_policy()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        var (vision, ids) = await StartAsync(work, 2);
        await using var _ = vision;
        await using var chromium = await Chromium.LaunchAsync();
        var page = await NewPageAsync(chromium, vision.BaseUrl);
        await page.Context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """);
        var responses = new List<IResponse>();
        page.Response += (_, r) => { lock (responses) responses.Add(r); };

        // Sign in, the queue with its thumbnails, a case with its photos, and back.
        await SignInOnPageAsync(page, "/login?returnUrl=%2F", "/");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('table#queue img')].every(i => i.complete && i.naturalWidth > 0)");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("id => document.body.dataset.caseId === id && window.visionReady === true", ids[0]);
        await page.WaitForFunctionAsync("() => { const i = [...document.querySelectorAll('#photos img')]; return i.length > 0 && i.every(x => x.complete && x.naturalWidth > 0); }");
        await page.Keyboard.PressAsync("Escape");
        await ReviewConsoleTests.WaitReadyAsync(page);

        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__cspViolations"));
        List<IResponse> seen;
        lock (responses) seen = [.. responses.Where(r => r.Url.StartsWith(vision.BaseUrl, StringComparison.Ordinal))];
        Assert.Contains(seen, r => new Uri(r.Url).AbsolutePath.StartsWith("/evidence/", StringComparison.Ordinal));
        Assert.Contains(seen, r => new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal));
        foreach (var response in seen)
        {
            var headers = await response.AllHeadersAsync();
            string path = new Uri(response.Url).AbsolutePath;
            Assert.True(headers.TryGetValue("content-security-policy", out var csp), $"{path}: no Content-Security-Policy");
            Assert.Contains("default-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("DENY", headers.GetValueOrDefault("x-frame-options"));
            Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
            Assert.Equal("no-referrer", headers.GetValueOrDefault("referrer-policy"));
            if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/evidence/", StringComparison.Ordinal))
                Assert.True(headers.GetValueOrDefault("cache-control")?.Contains("no-store", StringComparison.Ordinal) == true, $"{path}: cache-control {headers.GetValueOrDefault("cache-control")}");
        }
        output.WriteLine($"{seen.Count} responses checked; CSP: {(await seen[0].AllHeadersAsync())["content-security-policy"]}");
        AssertNoPageErrors();
    }

    private void AssertNoPageErrors()
    {
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, "uncaught errors in the page:\n" + string.Join('\n', _pageErrors));
    }
}
