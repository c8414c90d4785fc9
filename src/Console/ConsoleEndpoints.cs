using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>Request bodies of the console API.</summary>
public sealed record SignInRequest(string? Username, string? Password, string? ReturnUrl = null);

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

public sealed record NewUserRequest(string? Username, string? DisplayName, string? Role, string? Password);

/// <summary>
/// The officer review console and its JSON API, served by the Vision host: pages and assets (embedded, no CDN),
/// sign-in, the review queue, case view with evidence through short-lived links, confirm and reject (audited with
/// who, when and from which address), cameras, per-rule precision, and user administration. The same JSON endpoints
/// are the integration API for a city's own tools (README, "Review console").
/// </summary>
public static class ConsoleEndpoints
{
    public static readonly string[] RejectReasons = ["false_detection", "permitted", "duplicate", "evidence_unclear", "other"];

    /// <summary>The most cases one bulk decision takes (a page of the queue is at most 200).</summary>
    public const int MaxBulkCases = 200;
    public static void MapVisionConsole(this WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        MapPages(app);
        var throttle = app.Services.GetRequiredService<SignInThrottle>();
        var sessions = app.Services.GetRequiredService<ISessionStore>();
        var credentials = new CredentialCheck(sources.Users, sessions, throttle, sources.Clock);
        MapSession(app, sources, credentials, throttle, sessions);
        MapCases(app, sources, links);
        MapEvidence(app, sources, links);
        MapOverview(app, sources);
        app.MapCameraMap(sources);
        app.MapAccounts(sources, credentials);
        var reports = new CaseReports(sources.Cases.Database);
        var feed = new CaseChangeFeed(reports, sources.Clock, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Console"));
        var stopping = app.Lifetime.ApplicationStopping;
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => feed.RunAsync(stopping), CancellationToken.None));
        app.MapCaseEvents(feed, reports, sessions, sources.Clock);
        MapReports(app, sources, reports);
        app.MapZoneEditor(sources);
    }

    /// <summary>The 考核 export: <c>GET /api/reports/cases.csv</c> and <c>.xlsx</c> (see <see cref="CaseReportRequest.Parse"/>).</summary>
    private static void MapReports(WebApplication app, ConsoleSources sources, CaseReports reports)
    {
        async Task<IResult> ExportAsync(HttpRequest request, bool excel, CancellationToken ct)
        {
            var config = sources.Config();
            var zone = CaseReport.ZoneOf(config);
            var now = sources.Clock.GetUtcNow();
            var (parsed, error) = CaseReportRequest.Parse(request.Query, zone, now);
            if (parsed is null) return Results.Json(new { error }, statusCode: 400);
            var rows = CaseReport.Build(await reports.CountSlotsAsync(parsed.From, parsed.To, ct), config, parsed);
            string name = string.Create(CultureInfo.InvariantCulture,
                $"vision-cases-{TimeZoneInfo.ConvertTime(parsed.From, zone):yyyyMMdd}-{TimeZoneInfo.ConvertTime(parsed.To.AddTicks(-1), zone):yyyyMMdd}-{parsed.Period.ToString().ToLowerInvariant()}");
            return excel
                ? Results.File(CaseReport.Xlsx(rows, parsed, zone, now), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx")
                : Results.File(CaseReport.Csv(rows, parsed), "text/csv; charset=utf-8", name + ".csv");
        }
        app.MapGet("/api/reports/cases.csv", (HttpRequest request, CancellationToken ct) => ExportAsync(request, excel: false, ct)).RequireAuthorization();
        app.MapGet("/api/reports/cases.xlsx", (HttpRequest request, CancellationToken ct) => ExportAsync(request, excel: true, ct)).RequireAuthorization();
    }

    private static void MapPages(WebApplication app)
    {
        app.MapGet("/login", () => Asset("login.html"));
        foreach (var page in new[] { "/", "/cases/{id}", "/map" })
            app.MapGet(page, () => Asset("index.html")).RequireAuthorization();
        app.MapGet("/cameras", () => Asset("index.html")).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        app.MapGet("/rules", () => Asset("index.html")).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        app.MapGet("/admin/users", () => Asset("index.html")).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
        app.MapGet("/assets/glossary.js", () => Results.Bytes(ConsoleGlossary.Module, "text/javascript; charset=utf-8"));
        app.MapGet("/assets/{file}", (string file) => Asset(file));
        app.MapGet("/api/glossary", () => Results.Json(ConsoleGlossary.Data())).RequireAuthorization();
    }

    private static void MapSession(WebApplication app, ConsoleSources sources, CredentialCheck credentials, SignInThrottle throttle, ISessionStore sessions)
    {
        app.MapPost("/api/session", async (HttpContext context, CancellationToken ct) =>
        {
            // A throttled address is refused before its body is read, and no body is read past RequestBodyLimits.Anonymous.
            if (throttle.Refused(context.Connection.RemoteIpAddress) is { } wait) return TooManyAttempts(context, wait);
            var (body, unread) = await ReadSignInAsync(context.Request, ct);
            if (body is null) return unread!;
            string returnUrl = LocalReturnPath.Sanitize(body.ReturnUrl);
            if (string.IsNullOrWhiteSpace(body.Username) || string.IsNullOrEmpty(body.Password))
                return Results.Json(new { error = "wrong_credentials" }, statusCode: StatusCodes.Status401Unauthorized);
            var result = await credentials.CheckAsync(body.Username, body.Password, context.Connection.RemoteIpAddress, ct);
            switch (result.Refusal)
            {
                case SignInRefusal.TooManyAttempts:
                    return TooManyAttempts(context, result.RetryAfter!.Value);
                case SignInRefusal.Locked:
                    return Results.Json(new { error = "locked", lockedUntil = result.LockedUntil?.UtcDateTime }, statusCode: StatusCodes.Status401Unauthorized);
                case SignInRefusal.WrongCredentials:
                    return Results.Json(new { error = "wrong_credentials" }, statusCode: StatusCodes.Status401Unauthorized);
                case SignInRefusal.Disabled:
                    return Results.Json(new { error = "disabled", message = "this account is disabled: ask an admin" }, statusCode: StatusCodes.Status401Unauthorized);
            }
            var account = result.Account!;
            await ConsoleAuthentication.SignInAsync(context, account, sessions, sources.Clock);
            return Results.Json(new { username = account.Username, displayName = account.DisplayName, role = account.Role.ToWire(), returnUrl });
        }).WithBodyLimit(RequestBodyLimits.Anonymous);
        app.MapGet("/api/session", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var user = context.User;
            var tokens = antiforgery.GetAndStoreTokens(context);
            return Results.Json(new
            {
                username = user.Identity!.Name,
                displayName = user.FindFirst(System.Security.Claims.ClaimTypes.GivenName)?.Value,
                role = user.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value,
                csrfToken = tokens.RequestToken,
            });
        }).RequireAuthorization();
        app.MapPost("/api/session/logout", async (HttpContext context) =>
        {
            await ConsoleAuthentication.SignOutAsync(context, sessions, sources.Clock);
            return Results.NoContent();
        }).RequireAuthorization().AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
    }

    private static IResult TooManyAttempts(HttpContext context, TimeSpan wait)
    {
        int seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Json(new { error = "too_many_attempts", retryAfterSeconds = seconds }, statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <summary>The sign-in body, or the answer when there is none to use: 413 past the limit, 400 when it is not JSON.</summary>
    private static async Task<(SignInRequest? Body, IResult? Refusal)> ReadSignInAsync(HttpRequest request, CancellationToken ct)
    {
        var notJson = Results.Json(new { error = "bad_request", message = "send {\"username\": …, \"password\": …} as application/json" }, statusCode: StatusCodes.Status400BadRequest);
        if (!request.HasJsonContentType()) return (null, notJson);
        try
        {
            return await request.ReadFromJsonAsync<SignInRequest>(ct) is { } body ? (body, null) : (null, notJson);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, RequestBodyLimits.TooLarge(RequestBodyLimits.Anonymous));
        }
        catch (System.Text.Json.JsonException)
        {
            return (null, notJson);
        }
    }

    private static void MapCases(WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        var cases = app.MapGroup("/api/cases").RequireAuthorization();
        cases.MapGet("", async (HttpRequest request, CancellationToken ct) =>
        {
            var (query, problem) = ParseQuery(request);
            if (query is null) return Results.Json(new { error = problem }, statusCode: 400);
            var items = await sources.Cases.ListAsync(query, ct);
            var config = sources.Config();
            var counts = await sources.Cases.CountByStatusAsync(query, ct);
            int total = query.Status is { } s ? counts[s] : counts.Values.Sum();
            return Results.Json(new
            {
                total,
                page = query.Offset / query.Limit + 1, // a long: page × pageSize can pass int's range
                pageSize = query.Limit,
                counts = counts.ToDictionary(p => p.Key.ToWire(), p => p.Value),
                items = items.Select(c => CaseViews.Row(c, config, links)),
            });
        });
        cases.MapGet("/{id}", async (string id, CancellationToken ct) => await DetailAsync(sources, links, id, ct) is { } detail ? Results.Json(detail) : NotFound(id));
        cases.MapPost("/{id}/confirm", async (string id, ConfirmRequest? body, HttpContext context, CancellationToken ct) =>
            await ReviewAsync(sources, links, context, id, CaseStatus.Confirmed, null, body ?? new ConfirmRequest(null), ct)).AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
        cases.MapPost("/{id}/reject", async (string id, RejectRequest body, HttpContext context, CancellationToken ct) =>
        {
            if (body.Reason is null || !RejectReasons.Contains(body.Reason))
                return Results.Json(new { error = $"reason must be one of {string.Join(", ", RejectReasons)}" }, statusCode: 400);
            if (body.Reason == "other" && string.IsNullOrWhiteSpace(body.Note))
                return Results.Json(new { error = "reason 'other' needs a note" }, statusCode: 400);
            return await ReviewAsync(sources, links, context, id, CaseStatus.Rejected, body.Reason, new ConfirmRequest(body.Note, body.ExpectedVersion, body.ConfirmChange, body.ChangeReason), ct);
        }).AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
        cases.MapPost("/bulk-decision", async (BulkDecisionRequest body, HttpContext context, CancellationToken ct) =>
            await BulkDecisionAsync(sources, context, body, ct)).AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
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
            default: return Results.Json(new { error = "decision must be confirm or reject" }, statusCode: 400);
        }
        if (decision == CaseStatus.Rejected && (body.Reason is null || !RejectReasons.Contains(body.Reason)))
            return Results.Json(new { error = $"reason must be one of {string.Join(", ", RejectReasons)}" }, statusCode: 400);
        if (decision == CaseStatus.Rejected && body.Reason == "other" && string.IsNullOrWhiteSpace(body.Note))
            return Results.Json(new { error = "reason 'other' needs a note" }, statusCode: 400);
        var items = body.Cases ?? [];
        if (items.Count is 0 or > MaxBulkCases || items.Any(c => string.IsNullOrWhiteSpace(c.CaseId)))
            return Results.Json(new { error = $"cases: 1–{MaxBulkCases} entries, each with a caseId (and the expectedVersion you saw)" }, statusCode: 400);
        if (items.Select(c => c.CaseId).Distinct(StringComparer.Ordinal).Count() != items.Count)
            return Results.Json(new { error = "cases: each case once" }, statusCode: 400);
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
                : await DecideAsync(sources, context, found, decision, decision == CaseStatus.Rejected ? body.Reason : null, body.Note, new ConfirmRequest(body.Note, item.ExpectedVersion), ct);
            released |= outcome.Result == DecisionResult.Recorded && decision == CaseStatus.Confirmed;
            results.Add(new BulkDecisionOutcome(id, BulkResultName(outcome.Result), outcome.Status?.ToWire(), outcome.Version, outcome.StatusBy));
        }
        if (released) sources.CaseReleased?.Invoke();
        var counts = results.GroupBy(r => r.Result).ToDictionary(g => g.Key, g => g.Count());
        return Results.Json(new { decision = decision.ToWire(), counts, results });
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
    private static Task<DecisionOutcome> DecideAsync(ConsoleSources sources, HttpContext context, StoredCase found, CaseStatus decision, string? reason, string? note, ConfirmRequest body, CancellationToken ct)
    {
        var entry = new CaseHistoryEntry(decision, sources.Clock.GetUtcNow(), context.User.Username(), reason, string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            context.Connection.RemoteIpAddress?.ToString());
        return sources.Cases.DecideAsync(found.CaseId, new CaseDecision(decision, entry, ReleasePolicyOf(sources, found))
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
        if (found is null) return NotFound(id);
        if (body.ConfirmChange && string.IsNullOrWhiteSpace(body.ChangeReason))
            return Results.Json(new { error = "change_reason_required", message = "changing a decision needs a reason" }, statusCode: 400);
        DecisionOutcome outcome;
        try
        {
            outcome = await DecideAsync(sources, context, found, decision, reason, body.Note, body, ct);
        }
        catch (DecisionTextTooLongException e)
        {
            return TooLong(e);
        }
        object Current() => new { status = outcome.Status?.ToWire(), version = outcome.Version, statusBy = outcome.StatusBy };
        switch (outcome.Result)
        {
            case DecisionResult.NotFound:
                return NotFound(id);
            case DecisionResult.AlreadyDispatched:
                return Results.Json(new { error = "already_dispatched", message = $"case {id} was already dispatched; it cannot be {decision.ToWire()} here", current = Current() }, statusCode: StatusCodes.Status409Conflict);
            case DecisionResult.ChangedMeanwhile:
                return Results.Json(new { error = "case_changed", message = $"case {id} changed while you were looking at it: it is now {outcome.Status?.ToWire()} (by {outcome.StatusBy ?? "vision"})", current = Current() },
                    statusCode: StatusCodes.Status409Conflict);
            case DecisionResult.ChangeNeedsConfirmation:
                return Results.Json(new { error = "change_needs_confirmation", message = $"case {id} is already {outcome.Status?.ToWire()}: confirm the change and give a reason", current = Current() },
                    statusCode: StatusCodes.Status409Conflict);
        }
        if (decision == CaseStatus.Confirmed) sources.CaseReleased?.Invoke();
        return Results.Json(await DetailAsync(sources, links, id, ct));
    }

    /// <summary>400 <c>{error: too_long, field, limit, message}</c>: free text over <see cref="DecisionText"/>'s limit, nothing recorded.</summary>
    private static IResult TooLong(DecisionTextTooLongException e) =>
        Results.Json(new { error = "too_long", field = e.Field, limit = e.Limit, message = e.Message }, statusCode: StatusCodes.Status400BadRequest);

    private static ReleasePolicy ReleasePolicyOf(ConsoleSources sources, StoredCase c)
    {
        var config = sources.Config();
        if (config.Dispatch is not { } dispatch) return ReleasePolicy.Never;
        var rule = config.FindCamera(c.CameraId)?.Rules.FirstOrDefault(r => r.Id == c.RuleId);
        return (rule is null ? dispatch.Send : dispatch.PolicyFor(rule)) == Rules.Config.DispatchPolicy.AfterReview ? ReleasePolicy.AfterReview : ReleasePolicy.OnDetection;
    }

    private static async Task<object?> DetailAsync(ConsoleSources sources, EvidenceLinks links, string id, CancellationToken ct)
    {
        var c = await sources.Cases.FindAsync(id, ct);
        if (c is null) return null;
        var history = await sources.Cases.HistoryAsync(id, ct);
        var delivery = await sources.Outbox.FindByCaseAsync(id, ct);
        return CaseViews.Detail(c, history, delivery, sources.Config(), links);
    }

    private static void MapEvidence(WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        app.MapGet("/evidence/{caseId}/{file}", async (string caseId, string file, string? exp, string? sig, CancellationToken ct) =>
        {
            if (links.Check(caseId, file, exp, sig) is { } problem) return Results.Json(new { error = problem }, statusCode: StatusCodes.Status403Forbidden);
            var entry = await sources.Evidence.FindAsync(caseId, ct);
            var item = entry?.Case.Objects.FirstOrDefault(o => o.Name == file);
            if (entry is null || item is null) return NotFound($"{caseId}/{file}");
            if (item.ContentType == "video/mp4" && sources.Clips is { } clips && entry.State != EvidenceState.Expired
                && await clips.PlayablePathAsync(entry, item, ct) is { } playable)
                return Results.File(playable, "video/mp4", enableRangeProcessing: true);
            if (entry.State == EvidenceState.Spooled || entry.State == EvidenceState.Broken)
            {
                string path = Path.Combine(sources.SpoolDirectory, caseId, file);
                return File.Exists(path) ? Results.File(path, item.ContentType, enableRangeProcessing: true) : NotFound($"{caseId}/{file}");
            }
            if (entry.State == EvidenceState.Expired) return Results.Json(new { error = "this evidence was deleted by retention" }, statusCode: StatusCodes.Status410Gone);
            if (sources.Store is LocalFolderEvidenceStore local)
                return Results.File(local.PathOf(item.Key), item.ContentType, enableRangeProcessing: true);
            var presigned = await sources.Store.PresignGetAsync(item.Key, links.Lifetime, ct);
            return presigned is null ? NotFound(item.Key) : Results.Redirect(presigned.ToString());
        }).RequireAuthorization();
    }

    private static void MapOverview(WebApplication app, ConsoleSources sources)
    {
        app.MapGet("/api/console/cameras", async (HttpContext context, IAuthorizationService authorization, CancellationToken ct) =>
        {
            var cameras = sources.Cameras?.Cameras() ?? [];
            var config = sources.Config();
            bool showStreams = (await authorization.AuthorizeAsync(context.User, ConsoleAuthentication.OpsPolicy)).Succeeded;
            var latest = new List<ConsoleCameraView>();
            foreach (var camera in cameras)
            {
                var last = (await sources.Cases.ListAsync(new CaseQuery(CameraId: camera.Id, Limit: 1), ct)).FirstOrDefault();
                latest.Add(ConsoleCameraView.Of(camera, config.FindCamera(camera.Id), last is null ? null : new ConsoleCameraCase(last.CaseId, last.ConfirmedAt.UtcDateTime, last.Violation), showStreams));
            }
            return Results.Json(latest);
        }).RequireAuthorization(); // officers need the camera list for the queue's filter; the cameras page itself is for engineers
        app.MapGet("/api/console/cameras/{id}/thumbnail.jpg", (string id) =>
            sources.Cameras?.Thumbnail(id) is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NotFound())
            .RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        app.MapGet("/api/rules/stats", async (int? weeks, CancellationToken ct) =>
        {
            var since = sources.Clock.GetUtcNow().AddDays(-7 * Math.Clamp(weeks ?? 8, 1, 104));
            var names = sources.Config().Cameras.SelectMany(c => c.Rules).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First().Name);
            object View(RuleReviewStats s) => new
            {
                ruleId = s.RuleId, ruleName = names.GetValueOrDefault(s.RuleId, s.RuleId), cameraId = s.CameraId, type = s.Violation, week = s.Week,
                hits = s.Hits, confirmed = s.Confirmed, rejected = s.Rejected, pending = s.Pending,
                precision = s.Precision is { } p ? Math.Round(p, 4) : (double?)null,
            };
            return Results.Json(new
            {
                rules = (await sources.Cases.RuleStatsAsync(since, perWeek: false, ct)).Select(View),
                weekly = (await sources.Cases.RuleStatsAsync(since, perWeek: true, ct)).Select(View),
            });
        }).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
    }

    /// <summary>Why a new account cannot be made as given; null when it can.</summary>
    public static string? CheckNewUser(string? username, string? role, string? password)
    {
        if (string.IsNullOrWhiteSpace(username) || username.Trim().Length > 64 || username.Any(char.IsWhiteSpace))
            return "username: 1–64 characters without spaces";
        if (!ConsoleRoleNames.TryParse(role, out _)) return "role must be officer, engineer or admin";
        return PasswordPolicy.Problem(username, password);
    }

    /// <summary>The queue's filters, or what is wrong with them.</summary>
    private static (CaseQuery? Query, string? Problem) ParseQuery(HttpRequest request)
    {
        var q = request.Query;
        CaseStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } s)
        {
            if (!CaseStatusNames.TryParse(s, out var parsed)) return (null, "status: auto_captured, confirmed, rejected or dispatched");
            status = parsed;
        }
        string? type = q["type"].ToString() is { Length: > 0 } t ? t : null;
        if (type is not null && !Rules.Config.ViolationTypeNames.TryParse(type, out _)) return (null, "type: illegal_parking, street_stall or litter");
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

    private static IResult NotFound(string what) => Results.Json(new { error = $"no {what}" }, statusCode: StatusCodes.Status404NotFound);

    /// <summary>An embedded page, script or style sheet; null when there is none by that name.</summary>
    internal static Stream? OpenAsset(string file) => Assembly.GetExecutingAssembly().GetManifestResourceStream("assets/" + file);

    internal static IResult Asset(string file)
    {
        var stream = OpenAsset(file);
        if (stream is null) return Results.NotFound();
        string type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }
}
