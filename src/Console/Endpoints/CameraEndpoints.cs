using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// The console's view of the cameras (<c>/api/console</c>): the list with state and last case (every role: officers
/// need it for the queue's filter; stream addresses only for the operations roles), a camera's thumbnail (engineers),
/// and the map (every role: officers pick a camera's queue from it). The pipeline's own operations endpoints
/// (<c>/api/cameras</c>, <c>/api/status</c>, <c>/metrics</c>) have other shapes and are served by the host.
/// </summary>
internal static class CameraEndpoints
{
    public static void MapConsoleCameras(this WebApplication app, ConsoleSources sources)
    {
        var console = app.MapGroup("/api/console");
        console.MapGet("/cameras", async (HttpContext context, IAuthorizationService authorization, CancellationToken ct) =>
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
        }).RequireAuthorization();
        console.MapGet("/cameras/{id}/thumbnail.jpg", (string id) =>
            sources.Cameras?.Thumbnail(id) is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NotFound())
            .RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        var counts = new OpenCaseCounts(sources.Cases.Database);
        console.MapGet("/map", async (CancellationToken ct) =>
            Results.Json(CameraMapView.Build(sources.Config(), sources.Cameras?.Cameras() ?? [], await counts.PerCameraAsync(ct))))
            .RequireAuthorization();
    }
}
