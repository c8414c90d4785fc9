using System.CommandLine;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Vision.ReviewConsole;
using Vision.Dispatch;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Hosting;
using Vision.Pipeline.Inference;
using Vision.Pipeline.Replay;
using Vision.Pipeline.Spool;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision run</c>: the long-running service for live cameras, with /metrics, /healthz, /readyz and /api/cameras.</summary>
public static class RunCommand
{
    public const string DefaultHttp = "http://127.0.0.1:8080";

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "YAML config with cameras (RTSP URLs), zones, schedules and rules", Required = true };
        var http = new Option<string>("--http") { Description = $"where the metrics and status endpoints listen (default {DefaultHttp})", DefaultValueFactory = _ => DefaultHttp };
        var json = new Option<bool>("--log-json") { Description = "write logs as JSON lines (for log collectors)" };
        var command = new Command("run", "Watch live cameras until stopped (Ctrl-C or SIGTERM); config edits apply without a restart.") { config, http, json };
        command.SetAction(async (parsed, ct) => await RunAsync(parsed.GetValue(config)!, parsed.GetValue(http)!, parsed.GetValue(json), ct).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> RunAsync(string configPath, string http, bool logJson, CancellationToken ct)
    {
        VisionConfig config;
        Models.IObjectDetector detector;
        Evidence.ManifestSigner? signer;
        IEvidenceStore store;
        CaseDatabase database;
        WebhookSignature? dispatchKey = null;
        try
        {
            if (!Uri.TryCreate(http, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new UsageException($"--http '{http}' is not a URL: write e.g. {DefaultHttp}");
            config = VisionConfigLoader.Load(configPath);
            signer = ReplayRunner.Signer();
            database = OpenDatabase(config.Evidence.Directory);
            store = EvidenceStoreFactory.Create(config.Evidence);
            if (config.Dispatch is not null)
                dispatchKey = DispatchKey() ?? throw new UsageException(
                    $"dispatch is configured but {WebhookSignature.KeyVariable} is not set: every delivery is signed; set it to the key agreed with the dispatch core (hex or base64, at least 16 bytes)");
            detector = DetectorFactory.Load(config);
        }
        catch (Exception e) when (ReplayCommand.UserFacing(e) is { } message)
        {
            Console.Error.WriteLine($"vision run: {message}");
            return CommandLineEntry.UserError;
        }

        await using var caseLog = new CaseLog(Path.Combine(config.Evidence.Directory, "cases.jsonl"), append: true);
        using var dispatchHttp = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        using (store)
        using (detector)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(http);
            builder.Logging.ClearProviders();
            if (logJson) builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
            else builder.Logging.AddSimpleConsole(o => { o.IncludeScopes = true; o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddCaseFlow();
            builder.Services.AddVisionConsole();
            builder.Services.AddSingleton(caseLog);
            builder.Services.AddSingleton(sp => new EvidenceStorage(config.Evidence, store, database, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>(),
                () => sp.GetRequiredService<LiveService>().Config));
            if (dispatchKey is not null)
                builder.Services.AddSingleton(sp =>
                {
                    var storage = sp.GetRequiredService<EvidenceStorage>();
                    var source = new DispatchCaseSource(storage.Cases, storage.Catalog, store, config.Evidence.Store.PresignExpiry);
                    return new DispatchPublisher(storage.Outbox, source, () => sp.GetRequiredService<LiveService>().Config, dispatchKey, dispatchHttp, TimeProvider.System,
                        sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Dispatch"));
                });
            builder.Services.AddSingleton(sp => new LiveService(config, detector, sp.GetRequiredService<EvidenceStorage>(), sp.GetRequiredService<MediatR.IMediator>(), caseLog,
                sp.GetRequiredService<ILoggerFactory>(), TimeProvider.System, signer, sp.GetService<DispatchPublisher>()));
            builder.Services.AddSingleton(sp => sp.GetRequiredService<LiveService>().Metrics);
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveService>());
            builder.Services.AddSingleton(sp => new CapacityMonitor(sp.GetRequiredService<LiveService>(), TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Capacity")));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CapacityMonitor>());

            var app = builder.Build();
            var service = app.Services.GetRequiredService<LiveService>();
            var capacity = app.Services.GetRequiredService<CapacityMonitor>();
            app.UseAuthentication();
            app.UseAuthorization();
            var storage = service.Storage;
            app.MapVisionConsole(
                new ConsoleSources(storage.Cases, new UserStore(database), storage.Outbox, storage.Catalog, store, config.Evidence.Directory, () => service.Config,
                    service.Thumbnails, TimeProvider.System)
                {
                    CaseReleased = () => service.Publisher?.Wake(),
                    Clips = new Evidence.BrowserClipPlayback(config.Evidence.Directory, store),
                },
                new EvidenceLinks(config.Evidence.Store.PresignExpiry, TimeProvider.System));
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.MapGet("/readyz", () => Readiness(service));
            app.MapGet("/api/cameras", () => Results.Json(service.Cameras()));
            app.MapGet("/api/status", () => Results.Json(new
            {
                ready = service.Ready,
                capacity = capacity.Current,
                configError = service.LastReloadError,
                timeShares = service.Timings.Shares(),
                meanBatchSize = Math.Round(service.Timings.MeanBatchSize, 2),
                evidence = service.Storage.Snapshot(),
                dispatch = service.Dispatch,
                cameras = service.Cameras(),
            }));
            app.MapMetrics("/metrics");

            try
            {
                await app.RunAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"vision run: cannot listen on {http} ({e.Message}): pass another --http URL");
                return CommandLineEntry.UserError;
            }
            return 0;
        }
    }

    /// <summary>
    /// Ready = cameras started and the evidence store answering. While the store is down detection goes on and
    /// evidence waits in the spool, but /readyz says why the node is not whole.
    /// </summary>
    private static IResult Readiness(LiveService service)
    {
        var evidence = service.Storage.Snapshot();
        var body = new
        {
            ready = service.Ready && evidence.StoreOk,
            reason = !service.Ready ? "starting cameras" : evidence.StoreOk ? null : evidence.StoreProblem,
            cameras = service.Cameras().Count,
            configError = service.LastReloadError,
            evidenceStore = new { description = evidence.Store, ok = evidence.StoreOk, problem = evidence.StoreProblem, since = evidence.StoreSince },
            spool = new { cases = evidence.SpooledCases, bytes = evidence.SpooledBytes, limitBytes = evidence.SpoolLimitBytes, nearLimit = evidence.SpoolNearLimit },
        };
        return Results.Json(body, statusCode: body.ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static WebhookSignature? DispatchKey()
    {
        try { return WebhookSignature.FromEnvironment(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    internal static CaseDatabase OpenDatabase(string evidenceDirectory)
    {
        string path = Path.Combine(evidenceDirectory, CaseDatabase.FileName);
        try
        {
            return new CaseDatabase(path).Migrate();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new UsageException($"cannot open the case database {path}: {e.Message}");
        }
    }
}
