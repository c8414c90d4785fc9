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

/// <summary>A camera's zones as the editor shows them, the file they live in and its version, and the latest changes.</summary>
internal sealed record CameraZonesView(
    string CameraId, string CameraName, bool Editable, string? ReadOnlyReason, string? ZonesFile, string Version, string? ConfigProblem,
    IEnumerable<ZoneView> Zones, IEnumerable<ZoneRuleView> Rules, IEnumerable<ZoneChangeView> Changes);

/// <summary>One zone: corners as [x, y] fractions of the frame, and the rules that use it.</summary>
internal sealed record ZoneView(string Id, string Name, IEnumerable<double[]> Points, IEnumerable<string> Rules);

/// <summary>One of the camera's rules and the zones it watches.</summary>
internal sealed record ZoneRuleView(string Id, string Name, string Type, IReadOnlyList<string> Zones);

/// <summary>One audited save: who, when, from where, which file, and the zones before and after.</summary>
internal sealed record ZoneChangeView(DateTime At, string Username, string? Address, string File, JsonElement Before, JsonElement After);

/// <summary>A zone as the audit of a save keeps it.</summary>
internal sealed record SavedZone(string Id, string Name, IEnumerable<double[]> Points);

/// <summary>409 <c>zones_changed</c>: the zones file's version now.</summary>
internal sealed record ZonesChanged(string Error, string Message, string Version);

/// <summary>400 <c>invalid_zones</c>: what the config loader found wrong with the zones as they would be saved.</summary>
internal sealed record InvalidZones(string Error, string Message, IEnumerable<string> Errors);

/// <summary>
/// The zone editor's API (engineers and admins): a camera's zones with the rules using each, its latest full-resolution
/// frame to draw on, and saving the zones into the camera's <c>zones_file</c> after the config loader accepted the
/// config with them; the running service applies the file by its hot reload. Every save is audited in <c>config_changes</c>.
/// </summary>
internal static class ZoneEndpoints
{
    private const int ChangesShown = 10;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapZones(this WebApplication app, ConsoleSources sources)
    {
        var changes = new ConfigChangeLog(sources.Cases.Database);
        // One save at a time: the version check and the write must not interleave between two engineers.
        var saving = new SemaphoreSlim(1, 1);
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
                return Results.Json(new ErrorBody($"camera {id} has no frame on this node yet (offline, starting, or analysed by another node)"), statusCode: StatusCodes.Status404NotFound);
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
            return ErrorAnswers.Explained("read_only", ReadOnlyReason(camera), StatusCodes.Status400BadRequest);
        if (body.Zones is null || body.Zones.Any(z => z is null || z.Points is null || z.Points.Any(p => p is not { Length: 2 })))
            return ErrorAnswers.Explained("bad_request", "zones: a list of { id, name, points: [[x, y], …] }", StatusCodes.Status400BadRequest);

        var (before, version, _) = OnDisk(running, camera);
        if (!string.Equals(body.Version, version, StringComparison.Ordinal))
            return Results.Json(new ZonesChanged("zones_changed", $"the zones of camera {id} were changed since you opened them; reload to see the current zones, then make your change again", version),
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
            return Results.Json(new InvalidZones("invalid_zones", e.Message, e.Errors.Select(x => x.ToString())), statusCode: StatusCodes.Status400BadRequest);
        }
        try
        {
            ZonesFileWriter.Write(file, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ErrorAnswers.Explained("write_failed",
                $"cannot write the zones file '{file}': {e.Message}; vision needs write access to that folder (a read-only mount, such as a Kubernetes ConfigMap, cannot be edited from the console)",
                StatusCodes.Status500InternalServerError);
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

    private static async Task<CameraZonesView> ViewAsync(VisionConfig config, CameraConfig camera, IReadOnlyList<Zone> zones, string version, string? problem, ConfigChangeLog changes, CancellationToken ct) => new(
        camera.Id,
        camera.Name,
        camera.ZonesFile is not null,
        camera.ZonesFile is null ? ReadOnlyReason(camera) : null,
        camera.ZonesFile is { } file ? RelativeToConfig(config, file) : null,
        version,
        problem,
        zones.Select(z => new ZoneView(z.Id, z.Name, Corners(z), camera.Rules.Where(r => r.ZoneIds.Contains(z.Id)).Select(r => r.Id))),
        camera.Rules.Select(r => new ZoneRuleView(r.Id, r.Name, ViolationTypeNames.ToWire(r.Type), r.ZoneIds)),
        (await changes.LatestAsync(camera.Id, ChangesShown, ct)).Select(c => new ZoneChangeView(c.ChangedAt.UtcDateTime, c.Username, c.Address, c.File,
            JsonDocument.Parse(c.BeforeJson).RootElement, JsonDocument.Parse(c.AfterJson).RootElement)));

    private static IEnumerable<double[]> Corners(Zone zone) => zone.Polygon.Points.Select(p => new[] { p.X, p.Y });

    private static string ReadOnlyReason(CameraConfig camera) =>
        $"camera {camera.Id}'s zones are written in vision.yaml; to edit them here, add 'zones_file: zones/{camera.Id}.yaml' to the camera and move its zones into that file";

    private static string RelativeToConfig(VisionConfig config, string file) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(config.SourcePath)) ?? ".", file);

    private static string ZonesJson(IReadOnlyList<Zone> zones) =>
        JsonSerializer.Serialize(zones.Select(z => new SavedZone(z.Id, z.Name, Corners(z))), Json);

    private static IResult NoCamera(string id) => ErrorAnswers.NotFound($"camera {id}");
}
