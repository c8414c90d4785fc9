using System.Runtime.InteropServices;
using Microsoft.Playwright;

namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// Debian's headless Chromium (<c>/usr/bin/chromium</c>, from scripts/install-test-servers.sh) driven by Microsoft.Playwright.
/// Playwright never downloads a browser here: it is launched with <see cref="BrowserTypeLaunchOptions.ExecutablePath"/>.
/// Its driver (node and the playwright-core package) is copied by the package's build targets into
/// <c>&lt;test output&gt;/.playwright</c>, where <see cref="Playwright.CreateAsync"/> looks first.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// The tests run as root, so Chromium's sandbox cannot start; no GPU; media may start without a click
    /// (the review console plays evidence clips).
    /// </summary>
    public static readonly IReadOnlyList<string> Args = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"];

    private const string Install = "run scripts/install-test-servers.sh";

    private readonly IPlaywright _playwright;
    private readonly List<IBrowserContext> _contexts = [];
    private bool _disposed;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Null when Chromium and the Playwright driver are both there; else why browser tests cannot run.</summary>
    public static string? UnavailableReason { get; } = FindUnavailableReason();

    /// <summary><c>&lt;repo root&gt;/artifacts/screenshots</c> (git-ignored).</summary>
    public static string ScreenshotsDir => Path.Combine(SharedData.ProjectRoot, "artifacts", "screenshots");

    public static async Task<Chromium> LaunchAsync()
    {
        if (UnavailableReason is { } reason) throw new InvalidOperationException(reason);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Args,
                Timeout = 60_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A page in a fresh context with a 1366×768 viewport (or <paramref name="viewport"/>, a phone's as a touch screen)
    /// and the given locale; relative URLs resolve against <paramref name="baseUrl"/>.
    /// </summary>
    public async Task<IPage> NewPageAsync(string baseUrl, string lang = "zh-CN", ViewportSize? viewport = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            Locale = lang,
            ViewportSize = viewport ?? new ViewportSize { Width = 1366, Height = 768 },
            IsMobile = viewport is not null,
            HasTouch = viewport is not null,
        });
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>Writes a full-page PNG to <c>&lt;repo root&gt;/artifacts/screenshots/&lt;name&gt;.png</c> and returns its path.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.IndexOfAny(['/', '\\']) >= 0 || name.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException("a plain file name without .png", nameof(name));
        Directory.CreateDirectory(ScreenshotsDir);
        string path = Path.Combine(ScreenshotsDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Type = ScreenshotType.Png });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            foreach (var context in _contexts) await context.CloseAsync();
            await Browser.CloseAsync();
            await Browser.DisposeAsync();
        }
        finally
        {
            _playwright.Dispose();
        }
    }

    private static string? FindUnavailableReason()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return "browser tests need Linux with Debian's chromium";
        if (!File.Exists(ExecutablePath)) return $"needs {ExecutablePath} (Debian's chromium): {Install}";
        // Where Microsoft.Playwright looks for its driver: PLAYWRIGHT_DRIVER_SEARCH_PATH, else the folder that holds
        // Microsoft.Playwright.dll (the test output), each with .playwright/node/<platform>/node and .playwright/package/cli.js;
        // PLAYWRIGHT_NODEJS_PATH replaces that node.
        string root = Environment.GetEnvironmentVariable("PLAYWRIGHT_DRIVER_SEARCH_PATH") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.GetDirectoryName(typeof(Playwright).Assembly.Location) ?? AppContext.BaseDirectory;
        string platform = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string node = Environment.GetEnvironmentVariable("PLAYWRIGHT_NODEJS_PATH") is { Length: > 0 } nodeFromEnv
            ? nodeFromEnv
            : Path.Combine(root, ".playwright", "node", platform, "node");
        string cli = Path.Combine(root, ".playwright", "package", "cli.js");
        if (!File.Exists(node) || !File.Exists(cli))
            return $"Playwright's driver is missing ({node}, {cli}): rebuild the test project so Microsoft.Playwright copies .playwright into its output";
        return null;
    }
}

/// <summary>A fact that needs headless Chromium and Playwright's driver; skipped, saying why, without them.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs headless Chromium and Playwright's driver; skipped, saying why, without them.</summary>
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (Chromium.UnavailableReason is { } reason) Skip = reason;
    }
}
