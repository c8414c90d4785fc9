using System.Diagnostics;
using Microsoft.Playwright;
using Vision.Pipeline.Tests.Console;
using Vision.Pipeline.Tests.Live;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// The account pages in real headless Chromium against a real <c>vision run</c> with seeded cases: an admin disables
/// an officer on the users page while the officer's queue is open in another browser — the officer's page goes to
/// the sign-in page by itself, every request of the old session gets 401, and signing in again says the account is
/// disabled; and a user changes their own password on /account.
/// </summary>
[Collection(ConsoleProcessesCollection.Name)]
public sealed class AccountPagesTests(ITestOutputHelper output)
{
    private const string Admin = "boss", Officer = "zhang";
    private readonly List<string> _pageErrors = [];

    private async Task<IPage> SignInAsync(Chromium chromium, string baseUrl, string user, string path)
    {
        var page = await chromium.NewPageAsync(baseUrl);
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add($"{page.Url}: {error}"); };
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(path));
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", ConsoleApiTests.Password);
        await page.Keyboard.PressAsync("Enter");
        await ReviewConsoleTests.WaitForLandingAsync(page, path);
        return page;
    }

    [ChromiumSharedDataFact]
    public async Task A_disabled_users_open_page_goes_to_sign_in_and_its_requests_get_401()
    {
        using var work = new ReviewConsoleTests.WorkDirectory();
        CaseSeeder.Seed(work.Evidence, "cam-bottles", "litter-table", 3, withPhotos: 1, newest: DateTimeOffset.Now.AddMinutes(-5));
        string footage = await TestFootage.PrepareAsync("bottle-detection", TimeSpan.FromSeconds(40), gop: 30);
        await using var vision = await VisionProcess.StartAsync(ConsoleApiTests.Config(footage).Replace("dwell: 5s", "dwell: 10m", StringComparison.Ordinal), workDirectory: work.Path);
        ConsoleApiTests.AddUser(vision.ConfigPath, Admin, "admin");
        ConsoleApiTests.AddUser(vision.ConfigPath, Officer, "officer");
        await using var chromium = await Chromium.LaunchAsync();

        var officer = await SignInAsync(chromium, vision.BaseUrl, Officer, "/");
        Assert.Equal(200, await ReviewConsoleTests.FetchStatusAsync(officer, "/api/cases"));
        var admin = await SignInAsync(chromium, vision.BaseUrl, Admin, "/admin/users");
        var row = $"#users tr[data-username=\"{Officer}\"]";
        Assert.Equal("1", (await admin.TextContentAsync($"{row} .user-sessions"))?.Trim());

        // The admin disables the officer on the users page.
        var clock = Stopwatch.StartNew();
        await admin.ClickAsync($"{row} button[data-action=\"disable\"]");
        await admin.WaitForSelectorAsync($"{row}[data-enabled=\"false\"]");
        Assert.Equal("停用", (await admin.TextContentAsync("#account-changes tbody tr:first-child td:nth-child(4)"))?.Trim());

        // The officer's open queue leaves for the sign-in page by itself (its live stream is told within a second or two)…
        await officer.WaitForFunctionAsync("() => location.pathname === '/login'", null, new() { Timeout = 5_000 });
        output.WriteLine($"the officer's page was at the sign-in page {clock.Elapsed.TotalSeconds:0.0} s after the click");
        // …and the old session's requests are refused; signing in again says why.
        await officer.WaitForSelectorAsync("#login-form");
        Assert.Equal(401, await ReviewConsoleTests.FetchStatusAsync(officer, "/api/cases"));
        Assert.Equal((401, "disabled"), await ReviewConsoleTests.SubmitSignInAsync(officer, Officer, ConsoleApiTests.Password));
        Assert.Equal("此账户已停用，请联系管理员", await officer.TextContentAsync("#login-error"));

        // The last admin cannot disable herself: the page says why and nothing changes.
        await admin.ClickAsync($"#users tr[data-username=\"{Admin}\"] button[data-action=\"disable\"]");
        await admin.WaitForSelectorAsync(".error-box:not([hidden])");
        Assert.StartsWith("这是最后一个启用的管理员", (await admin.TextContentAsync(".error-box"))?.Trim());
        Assert.Equal("true", await admin.GetAttributeAsync($"#users tr[data-username=\"{Admin}\"]", "data-enabled"));
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(admin, "users-page")}");

        // The admin changes her own password on /account (the header's name links there); the session goes on.
        await admin.ClickAsync("#user-name");
        await ReviewConsoleTests.WaitForLandingAsync(admin, "/account");
        await admin.FillAsync("#account-current", ConsoleApiTests.Password);
        await admin.FillAsync("#account-next", "lantern harbour seven ducks");
        await admin.FillAsync("#account-repeat", "lantern harbour seven ducks");
        await admin.ClickAsync("#change-password-form button[type=submit]");
        await admin.WaitForFunctionAsync("() => document.getElementById('toast').textContent.startsWith('密码已修改')");
        Assert.Equal(200, await ReviewConsoleTests.FetchStatusAsync(admin, "/api/users"));
        output.WriteLine($"screenshot: {await Chromium.SaveScreenshotAsync(admin, "account-password")}");
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, "uncaught errors in the page:\n" + string.Join('\n', _pageErrors));
    }
}
