using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// The officer review console and its JSON API, served by the Vision host: one endpoint group per resource (pages,
/// session, vocabulary, cases, evidence, cameras and map, rule statistics, accounts, live events, reports, zones; see
/// the <c>Endpoints</c> folder). The same JSON endpoints are the integration API for a city's own tools (README,
/// "Review console").
/// </summary>
public static class ConsoleEndpoints
{
    public static void MapVisionConsole(this WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        app.MapConsolePages();
        var throttle = app.Services.GetRequiredService<SignInThrottle>();
        var sessions = app.Services.GetRequiredService<ISessionStore>();
        var credentials = new CredentialCheck(sources.Users, sessions, throttle, sources.Clock);
        app.MapSession(sources, credentials, throttle, sessions);
        app.MapVocabulary();
        app.MapCases(sources, links);
        app.MapEvidence(sources, links);
        app.MapConsoleCameras(sources);
        app.MapRuleStats(sources);
        app.MapAccounts(sources, credentials);
        var reports = new CaseReports(sources.Cases.Database);
        var feed = new CaseChangeFeed(reports, sources.Clock, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Console"));
        var stopping = app.Lifetime.ApplicationStopping;
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => feed.RunAsync(stopping), CancellationToken.None));
        app.MapCaseEvents(feed, reports, sessions, sources.Clock);
        app.MapReports(sources, reports);
        app.MapZones(sources);
    }

    /// <summary>What is wrong with a role as a request gives it.</summary>
    internal static string RoleProblem { get; } = $"role must be {ConsoleVocabulary.Choices(ConsoleVocabulary.Current.Roles)}";

    /// <summary>Why a new account cannot be made as given; null when it can.</summary>
    public static string? CheckNewUser(string? username, string? role, string? password)
    {
        if (string.IsNullOrWhiteSpace(username) || username.Trim().Length > 64 || username.Any(char.IsWhiteSpace))
            return "username: 1–64 characters without spaces";
        if (!ConsoleRoleNames.TryParse(role, out _)) return RoleProblem;
        return PasswordPolicy.Problem(username, password);
    }
}
