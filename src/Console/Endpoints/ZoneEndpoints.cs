using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Rules.Config;
using Vision.Rules.Zones;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>A zone editor's save: the zones file version it loaded (409 when the file changed since) and the camera's zones as they should be.</summary>
public sealed record ZonesSaveRequest(string? Version, IReadOnlyList<ZoneDraftBody>? Zones);

/// <summary>One zone as the editor sends it: corners as [x, y] fractions of the frame.</summary>
public sealed record ZoneDraftBody(string? Id, string? Name, IReadOnlyList<double[]>? Points);

/// <summary>
/// The zone editor's API (engineers and admins): a camera's zones with the rules using each, its latest full-resolution
/// frame to draw on, and saving the zones into the camera's <c>zones_file</c> after the config loader accepted the
/// config with them; the running service applies the file by its hot reload. Every save is audited in <c>config_changes</c>.
/// </summary>
public static class ZoneEditorEndpoints
{
    private const int ChangesShown = 10;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapZoneEditor(this WebApplication app, ConsoleSources sources)
    {
        var changes = new ConfigChangeLog(sources.Cases.Database);
        // One save at a time: the version check and the write must not interleave between two engineers.
        var saving = new SemaphoreSlim(1, 1);
        app.MapGet("/zones/{id}", () => ConsoleEndpoints.Asset("index.html")).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        var cameras = app.MapGroup("/api/cameras/{id}").RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        cameras.MapGet("/zones", async (string id, CancellationToken ct) =>
        {
            var running = sources.Config();
            if (running.FindCamera(id) is not { } camera) return NoCamera(id);
            var (zones, version, problem) = OnDisk(running, camera);
            return Results.Json(await ViewAsync(running, camera, zones, version, problem, changes, ct));
        });
        cameras.MapGet("/frame.jpg", async (string id, HttpContext context, CancellationToken ct) =>
        {
            if (sources.Config().FindCamera(id) is null) return NoCamera(id);
            if (sources.Frames is null || await sources.Frames.LatestFrameAsync(id, ct) is not { } frame)
                return Results.Json(new { error = $"camera {id} has no frame on this node yet (offline, starting, or analysed by another node)" }, statusCode: StatusCodes.Status404NotFound);
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["X-Frame-Source"] = frame.From;
            return Results.File(frame.Jpeg, "image/jpeg");
        });
        cameras.MapPut("/zones", async (string id, ZonesSaveRequest body, HttpContext context, CancellationToken ct) =>
        {
            await saving.WaitAsync(ct);
            try
            {
                return await SaveAsync(sources, changes, context, id, body, ct);
            }
            finally
            {
                saving.Release();
            }
        }).AddEndpointFilter(ConsoleAuthentication.RequireCsrf);
    }

    private static async Task<IResult> SaveAsync(ConsoleSources sources, ConfigChangeLog changes, HttpContext context, string id, ZonesSaveRequest body, CancellationToken ct)
    {
        var running = sources.Config();
        if (running.FindCamera(id) is not { } camera) return NoCamera(id);
        if (camera.ZonesFile is not { } file)
            return Results.Json(new { error = "read_only", message = ReadOnlyReason(camera) }, statusCode: StatusCodes.Status400BadRequest);
        if (body.Zones is null || body.Zones.Any(z => z is null || z.Points is null || z.Points.Any(p => p is not { Length: 2 })))
            return Results.Json(new { error = "bad_request", message = "zones: a list of { id, name, points: [[x, y], …] }" }, statusCode: StatusCodes.Status400BadRequest);

        var (before, version, _) = OnDisk(running, camera);
        if (!string.Equals(body.Version, version, StringComparison.Ordinal))
            return Results.Json(new { error = "zones_changed", message = $"the zones of camera {id} were changed since you opened them; reload to see the current zones, then make your change again", version },
                statusCode: StatusCodes.Status409Conflict);

        var drafts = body.Zones.Select(z => new ZoneDraft(z.Id?.Trim() ?? "", string.IsNullOrWhiteSpace(z.Name) ? null : z.Name.Trim(),
            z.Points!.Select(p => new NormalizedPoint(p[0], p[1])).ToList())).ToList();
        string text = ZonesFileWriter.Format(id, drafts);
        VisionConfig next;
        try
        {
            next = ZonesFileWriter.Check(running.SourcePath, file, text);
        }
        catch (ConfigException e)
        {
            return Results.Json(new { error = "invalid_zones", message = e.Message, errors = e.Errors.Select(x => x.ToString()) }, statusCode: StatusCodes.Status400BadRequest);
        }
        try
        {
            ZonesFileWriter.Write(file, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Results.Json(new { error = "write_failed", message = $"cannot write the zones file '{file}': {e.Message}; vision needs write access to that folder (a read-only mount, such as a Kubernetes ConfigMap, cannot be edited from the console)" },
                statusCode: StatusCodes.Status500InternalServerError);
        }
        var saved = next.FindCamera(id)!;
        await changes.AddAsync(new ConfigChange(0, sources.Clock.GetUtcNow(), context.User.Identity!.Name!, context.Connection.RemoteIpAddress?.ToString(), id,
            RelativeToConfig(running, file), ZonesJson(before), ZonesJson(saved.Zones)), ct);
        return Results.Json(await ViewAsync(next, saved, saved.Zones, ZonesFileWriter.Version(file), null, changes, ct));
    }

    /// <summary>The camera's zones as its zones file holds them now (the running config may not have reloaded it yet) and that file's version.</summary>
    private static (IReadOnlyList<Zone> Zones, string Version, string? Problem) OnDisk(VisionConfig running, CameraConfig camera)
    {
        if (camera.ZonesFile is not { } file) return (camera.Zones, "inline", null);
        string version = ZonesFileWriter.Version(file);
        try
        {
            return (VisionConfigLoader.Load(running.SourcePath).FindCamera(camera.Id)?.Zones ?? camera.Zones, version, null);
        }
        catch (ConfigException e)
        {
            return (camera.Zones, version, e.Message);
        }
    }

    private static async Task<object> ViewAsync(VisionConfig config, CameraConfig camera, IReadOnlyList<Zone> zones, string version, string? problem, ConfigChangeLog changes, CancellationToken ct) => new
    {
        cameraId = camera.Id,
        cameraName = camera.Name,
        editable = camera.ZonesFile is not null,
        readOnlyReason = camera.ZonesFile is null ? ReadOnlyReason(camera) : null,
        zonesFile = camera.ZonesFile is { } file ? RelativeToConfig(config, file) : null,
        version,
        configProblem = problem,
        zones = zones.Select(z => new
        {
            id = z.Id,
            name = z.Name,
            points = z.Polygon.Points.Select(p => new[] { p.X, p.Y }),
            rules = camera.Rules.Where(r => r.ZoneIds.Contains(z.Id)).Select(r => r.Id),
        }),
        rules = camera.Rules.Select(r => new { id = r.Id, name = r.Name, type = ViolationTypeNames.ToWire(r.Type), zones = r.ZoneIds }),
        changes = (await changes.LatestAsync(camera.Id, ChangesShown, ct)).Select(c => new
        {
            at = c.ChangedAt.UtcDateTime, username = c.Username, address = c.Address, file = c.File,
            before = JsonDocument.Parse(c.BeforeJson).RootElement, after = JsonDocument.Parse(c.AfterJson).RootElement,
        }),
    };

    private static string ReadOnlyReason(CameraConfig camera) =>
        $"camera {camera.Id}'s zones are written in vision.yaml; to edit them here, add 'zones_file: zones/{camera.Id}.yaml' to the camera and move its zones into that file";

    private static string RelativeToConfig(VisionConfig config, string file) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(config.SourcePath)) ?? ".", file);

    private static string ZonesJson(IReadOnlyList<Zone> zones) =>
        JsonSerializer.Serialize(zones.Select(z => new { id = z.Id, name = z.Name, points = z.Polygon.Points.Select(p => new[] { p.X, p.Y }) }), Json);

    private static IResult NoCamera(string id) => Results.Json(new { error = $"no camera {id}" }, statusCode: StatusCodes.Status404NotFound);
}
