using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// A case's evidence files (<c>GET /evidence/{caseId}/{file}</c>) through the short-lived signed links the case views
/// hand out: from the spool while the upload is pending, from a local evidence folder, or by a redirect to a presigned
/// object-store link; 410 once retention deleted it.
/// </summary>
internal static class EvidenceEndpoints
{
    public static void MapEvidence(this WebApplication app, ConsoleSources sources, EvidenceLinks links)
    {
        app.MapGet("/evidence/{caseId}/{file}", async (string caseId, string file, string? exp, string? sig, CancellationToken ct) =>
        {
            if (links.Check(caseId, file, exp, sig) is { } problem) return Results.Json(new ErrorBody(problem), statusCode: StatusCodes.Status403Forbidden);
            var entry = await sources.Evidence.FindAsync(caseId, ct);
            var item = entry?.Case.Objects.FirstOrDefault(o => o.Name == file);
            if (entry is null || item is null) return ErrorAnswers.NotFound($"{caseId}/{file}");
            if (item.ContentType == "video/mp4" && sources.Clips is { } clips && entry.State != EvidenceState.Expired
                && await clips.PlayablePathAsync(entry, item, ct) is { } playable)
                return Results.File(playable, "video/mp4", enableRangeProcessing: true);
            if (entry.State == EvidenceState.Spooled || entry.State == EvidenceState.Broken)
            {
                string path = Path.Combine(sources.SpoolDirectory, caseId, file);
                return File.Exists(path) ? Results.File(path, item.ContentType, enableRangeProcessing: true) : ErrorAnswers.NotFound($"{caseId}/{file}");
            }
            if (entry.State == EvidenceState.Expired) return Results.Json(new ErrorBody("this evidence was deleted by retention"), statusCode: StatusCodes.Status410Gone);
            if (sources.Store is LocalFolderEvidenceStore local)
                return Results.File(local.PathOf(item.Key), item.ContentType, enableRangeProcessing: true);
            var presigned = await sources.Store.PresignGetAsync(item.Key, links.Lifetime, ct);
            return presigned is null ? ErrorAnswers.NotFound(item.Key) : Results.Redirect(presigned.ToString());
        }).RequireAuthorization();
    }
}
