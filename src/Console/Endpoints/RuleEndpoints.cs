using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>How reviewers judged one rule's cases (on one camera, in one week or the whole period).</summary>
internal sealed record RuleStatsRow(
    string RuleId, string RuleName, string CameraId, string Type, string? Week, int Hits, int Confirmed, int Rejected, int Pending, double? Precision);

/// <summary>Per-rule precision over the period, and the same per week.</summary>
internal sealed record RuleStatsView(IEnumerable<RuleStatsRow> Rules, IEnumerable<RuleStatsRow> Weekly);

/// <summary><c>GET /api/rules/stats?weeks=N</c> (engineers): per-rule precision from reviewers' decisions, so a noisy rule shows.</summary>
internal static class RuleEndpoints
{
    public static void MapRuleStats(this WebApplication app, ConsoleSources sources)
    {
        app.MapGet("/api/rules/stats", async (int? weeks, CancellationToken ct) =>
        {
            var since = sources.Clock.GetUtcNow().AddDays(-7 * Math.Clamp(weeks ?? 8, 1, 104));
            var names = sources.Config().Cameras.SelectMany(c => c.Rules).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First().Name);
            RuleStatsRow Row(RuleReviewStats s) => new(s.RuleId, names.GetValueOrDefault(s.RuleId, s.RuleId), s.CameraId, s.Violation, s.Week,
                s.Hits, s.Confirmed, s.Rejected, s.Pending, s.Precision is { } p ? Math.Round(p, 4) : null);
            return Results.Json(new RuleStatsView(
                (await sources.Cases.RuleStatsAsync(since, perWeek: false, ct)).Select(Row),
                (await sources.Cases.RuleStatsAsync(since, perWeek: true, ct)).Select(Row)));
        }).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
    }
}
