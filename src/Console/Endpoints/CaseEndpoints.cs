using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <param name="ExpectedVersion">The case version the reviewer saw (409 when it changed since).</param>
/// <param name="ConfirmChange">True, with <paramref name="ChangeReason"/>, to replace an earlier decision.</param>
public sealed record ConfirmRequest(string? Note, long? ExpectedVersion = null, bool ConfirmChange = false, string? ChangeReason = null);

public sealed record RejectRequest(string? Reason, string? Note, long? ExpectedVersion = null, bool ConfirmChange = false, string? ChangeReason = null);

/// <summary>One decision for several cases, each with the version the reviewer saw (409-style outcomes are reported per case).</summary>
/// <param name="Decision"><c>confirm</c> or <c>reject</c>.</param>
public sealed record BulkDecisionRequest(string? Decision, string? Reason, string? Note, IReadOnlyList<BulkDecisionCase>? Cases);

public sealed record BulkDecisionCase(string? CaseId, long? ExpectedVersion);

/// <summary>What became of one case of a bulk decision: recorded, case_changed, already_decided, already_dispatched or not_found, and the case as it is now.</summary>
public sealed record BulkDecisionOutcome(string CaseId, string Result, string? Status, long Version, string? StatusBy);

/// <summary>The answer to a bulk decision: the decision, how many cases had each result, and each case's result.</summary>
internal sealed record BulkDecisionAnswer(string Decision, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<BulkDecisionOutcome> Results);

/// <summary>A case's state when a decision on it was refused.</summary>
internal sealed record CaseState(string? Status, long Version, string? StatusBy);

/// <summary>409: the decision was not recorded; <see cref="Current"/> is the case as it is now.</summary>
internal sealed record DecisionConflict(string Error, string Message, CaseState Current);

/// <summary>400 <c>too_long</c>: free text over <see cref="DecisionText"/>'s limit, nothing recorded.</summary>
internal sealed record TextTooLong(string Error, string Field, int Limit, string Message);

/// <summary>
/// The cases resource (<c>/api/cases</c>, every signed-in role): the queue with its filters and counts, one case, and
/// reviewers' decisions — confirm, reject, and one decision for many — each audited with who, when and from which
/// address, and made on the version of the case the reviewer saw.
/// </summary>
internal static class CaseEndpoints
{
    /// <summary>The most cases one bulk decision takes (a page of the queue is at most 200).</summary>
    public const int MaxBulkCases = 200;

    public static void MapCases(this WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        var cases = app.MapGroup("/api/cases").RequireAuthorization();
        cases.MapGet("", async (HttpRequest request, CancellationToken ct) =>
        {
            var (query, problem) = ParseQuery(request);
            if (query is null) return ErrorAnswers.BadRequest(problem!);
            var items = await sources.Cases.ListAsync(query, ct);
            var config = sources.Config();
            var counts = await sources.Cases.CountByStatusAsync(query, ct);
            int total = query.Status is { } s ? counts[s] : counts.Values.Sum();
            return Results.Json(new CasePage(total,
                query.Offset / query.Limit + 1, // a long: page × pageSize can pass int's range
                query.Limit,
                counts.ToDictionary(p => p.Key.ToWire(), p => p.Value),
                items.Select(c => CaseViews.Row(c, config, links))));
        });
        cases.MapGet("/{id}", async (string id, CancellationToken ct) =>
            await DetailAsync(sources, links, id, ct) is { } detail ? Results.Json(detail) : ErrorAnswers.NotFound(id));
        var decisions = cases.MapGroup("").AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
        decisions.MapPost("/{id}/confirm", async (string id, ConfirmRequest? body, HttpContext context, CancellationToken ct) =>
            await ReviewAsync(sources, links, context, id, CaseStatus.Confirmed, null, body ?? new ConfirmRequest(null), ct));
        decisions.MapPost("/{id}/reject", async (string id, RejectRequest body, HttpContext context, CancellationToken ct) =>
        {
            if (RejectReasons.Problem(body.Reason, body.Note) is { } problem) return ErrorAnswers.BadRequest(problem);
            return await ReviewAsync(sources, links, context, id, CaseStatus.Rejected, body.Reason,
                new ConfirmRequest(body.Note, body.ExpectedVersion, body.ConfirmChange, body.ChangeReason), ct);
        });
        decisions.MapPost("/bulk-decision", async (BulkDecisionRequest body, HttpContext context, CancellationToken ct) =>
            await BulkDecisionAsync(sources, context, body, ct));
    }

    /// <summary>
    /// One decision for up to <see cref="MaxBulkCases"/> cases: each is decided on its own (its own version check, history
    /// entry and release), and the answer says per case what happened. It never replaces an earlier decision: a case
    /// decided meanwhile is reported, not changed.
    /// </summary>
    private static async Task<IResult> BulkDecisionAsync(ConsoleSources sources, HttpContext context, BulkDecisionRequest body, CancellationToken ct)
    {
        CaseStatus decision;
        switch (body.Decision)
        {
            case "confirm": decision = CaseStatus.Confirmed; break;
            case "reject": decision = CaseStatus.Rejected; break;
            default: return ErrorAnswers.BadRequest("decision must be confirm or reject");
        }
        if (decision == CaseStatus.Rejected && RejectReasons.Problem(body.Reason, body.Note) is { } problem) return ErrorAnswers.BadRequest(problem);
        var items = body.Cases ?? [];
        if (items.Count is 0 or > MaxBulkCases || items.Any(c => string.IsNullOrWhiteSpace(c.CaseId)))
            return ErrorAnswers.BadRequest($"cases: 1–{MaxBulkCases} entries, each with a caseId (and the expectedVersion you saw)");
        if (items.Select(c => c.CaseId).Distinct(StringComparer.Ordinal).Count() != items.Count)
            return ErrorAnswers.BadRequest("cases: each case once");
        // Checked before the first case, so a note too long is refused for all of them rather than found on each.
        if (DecisionText.Problem(context.User.Username(), body.Reason, body.Note?.Trim(), null) is { } tooLong) return TooLong(tooLong);

        var results = new List<BulkDecisionOutcome>(items.Count);
        bool released = false;
        foreach (var item in items)
        {
            string id = item.CaseId!;
            var found = await sources.Cases.FindAsync(id, ct);
            var outcome = found is null
                ? new DecisionOutcome(DecisionResult.NotFound)
                : await DecideAsync(sources, context, found, decision, decision == CaseStatus.Rejected ? body.Reason : null, new ConfirmRequest(body.Note, item.ExpectedVersion), ct);
            released |= outcome.Result == DecisionResult.Recorded && decision == CaseStatus.Confirmed;
            results.Add(new BulkDecisionOutcome(id, BulkResultName(outcome.Result), outcome.Status?.ToWire(), outcome.Version, outcome.StatusBy));
        }
        if (released) sources.ReleaseObserver.Released();
        var counts = results.GroupBy(r => r.Result).ToDictionary(g => g.Key, g => g.Count());
        return Results.Json(new BulkDecisionAnswer(decision.ToWire(), counts, results));
    }

    private static string BulkResultName(DecisionResult result) => result switch
    {
        DecisionResult.Recorded => "recorded",
        DecisionResult.NotFound => "not_found",
        DecisionResult.AlreadyDispatched => "already_dispatched",
        DecisionResult.ChangedMeanwhile => "case_changed",
        DecisionResult.ChangeNeedsConfirmation => "already_decided",
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    /// <summary>Records one reviewer's decision on <paramref name="found"/> with who, when and from where.</summary>
    private static Task<DecisionOutcome> DecideAsync(ConsoleSources sources, HttpContext context, StoredCase found, CaseStatus decision, string? reason, ConfirmRequest body, CancellationToken ct)
    {
        var entry = new CaseHistoryEntry(decision, sources.Clock.GetUtcNow(), context.User.Username(), reason, string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim(),
            context.Connection.RemoteIpAddress?.ToString());
        return sources.Cases.DecideAsync(found.CaseId, new CaseDecision(decision, entry, CaseRelease.PolicyOf(sources.Config(), found.CameraId, found.RuleId))
        {
            ExpectedVersion = body.ExpectedVersion,
            ChangeConfirmed = body.ConfirmChange,
            ChangeReason = body.ChangeReason,
        }, ct);
    }

    /// <summary>
    /// Records a decision made on the version of the case the reviewer saw: 409 <c>case_changed</c> when someone else
    /// decided meanwhile, 409 <c>change_needs_confirmation</c> when it would replace an earlier decision without the
    /// reviewer confirming that and saying why.
    /// </summary>
    private static async Task<IResult> ReviewAsync(ConsoleSources sources, EvidenceLinks links, HttpContext context, string id, CaseStatus decision, string? reason, ConfirmRequest body, CancellationToken ct)
    {
        var found = await sources.Cases.FindAsync(id, ct);
        if (found is null) return ErrorAnswers.NotFound(id);
        if (body.ConfirmChange && string.IsNullOrWhiteSpace(body.ChangeReason))
            return ErrorAnswers.Explained("change_reason_required", "changing a decision needs a reason", StatusCodes.Status400BadRequest);
        DecisionOutcome outcome;
        try
        {
            outcome = await DecideAsync(sources, context, found, decision, reason, body, ct);
        }
        catch (DecisionTextTooLongException e)
        {
            return TooLong(e);
        }
        IResult Conflict(string error, string message) =>
            Results.Json(new DecisionConflict(error, message, new CaseState(outcome.Status?.ToWire(), outcome.Version, outcome.StatusBy)), statusCode: StatusCodes.Status409Conflict);
        switch (outcome.Result)
        {
            case DecisionResult.NotFound:
                return ErrorAnswers.NotFound(id);
            case DecisionResult.AlreadyDispatched:
                return Conflict("already_dispatched", $"case {id} was already dispatched; it cannot be {decision.ToWire()} here");
            case DecisionResult.ChangedMeanwhile:
                return Conflict("case_changed", $"case {id} changed while you were looking at it: it is now {outcome.Status?.ToWire()} (by {outcome.StatusBy ?? "vision"})");
            case DecisionResult.ChangeNeedsConfirmation:
                return Conflict("change_needs_confirmation", $"case {id} is already {outcome.Status?.ToWire()}: confirm the change and give a reason");
        }
        if (decision == CaseStatus.Confirmed) sources.ReleaseObserver.Released();
        return Results.Json(await DetailAsync(sources, links, id, ct));
    }

    private static IResult TooLong(DecisionTextTooLongException e) =>
        Results.Json(new TextTooLong("too_long", e.Field, e.Limit, e.Message), statusCode: StatusCodes.Status400BadRequest);

    private static async Task<CaseDetail?> DetailAsync(ConsoleSources sources, EvidenceLinks links, string id, CancellationToken ct)
    {
        var c = await sources.Cases.FindAsync(id, ct);
        if (c is null) return null;
        var history = await sources.Cases.HistoryAsync(id, ct);
        var delivery = await sources.Outbox.FindByCaseAsync(id, ct);
        return CaseViews.Detail(c, history, delivery, sources.Config(), links);
    }

    /// <summary>The queue's filters, or what is wrong with them.</summary>
    private static (CaseQuery? Query, string? Problem) ParseQuery(HttpRequest request)
    {
        var q = request.Query;
        CaseStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            if (!CaseStatusNames.TryParse(s, out var parsed)) return (null, $"status: {ConsoleVocabulary.Choices(ConsoleVocabulary.Current.Statuses)}");
            status = parsed;
        }
        string? type = q["type"].ToString() is { Length: > 0 } t ? t : null;
        if (type is not null && !ViolationTypeNames.TryParse(type, out _)) return (null, $"type: {ConsoleVocabulary.Choices(ConsoleVocabulary.Current.Violations)}");
        DateTimeOffset? from = null, to = null;
        if (q["from"].ToString() is { Length: > 0 } f) { if (!DateBounds.TryParseTime(f, out var v)) return (null, $"from: an ISO-8601 time, {DateBounds.Text}"); from = v; }
        if (q["to"].ToString() is { Length: > 0 } tt) { if (!DateBounds.TryParseTime(tt, out var v)) return (null, $"to: an ISO-8601 time, {DateBounds.Text}"); to = v; }
        int page = 1, size = 50;
        if (q["page"].ToString() is { Length: > 0 } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
            return (null, $"page: a whole number from 1 to {int.MaxValue}");
        if (q["pageSize"].ToString() is { Length: > 0 } z && (!int.TryParse(z, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > 200))
            return (null, "pageSize: a whole number from 1 to 200");
        return (new CaseQuery(status, q["camera"].ToString() is { Length: > 0 } cam ? cam : null, type, q["zone"].ToString() is { Length: > 0 } zone ? zone : null, from, to, size, (page - 1L) * size,
            CaseQuery.NormalisePlateSearch(q["plate"].ToString())), null);
    }
}
