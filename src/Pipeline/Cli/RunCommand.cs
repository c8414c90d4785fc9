using System.CommandLine;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.ReviewConsole;
using Vision.Dispatch;
using Vision.Pipeline.Dispatch;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Hosting;
using Vision.Pipeline.Detect;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Upload;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision run</c>: the long-running service for live cameras and the review console, with /healthz and /readyz for
/// probes (open) and the operations endpoints /api/cameras, /api/status and /metrics (a signed-in admin or the ops token).
/// </summary>
internal static class RunCommand
{
    public const string DefaultHttp = "http://127.0.0.1:8080";

    /// <summary>Comma-separated addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.</summary>
    public const string TrustedProxiesVariable = "VISION_TRUSTED_PROXIES";

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
        CasePlateReader? plates;
        Evidence.ManifestSigner? signer;
        IEvidenceStore store;
        CaseDatabase database;
        WebhookSignature? dispatchKey = null;
        OpsToken opsToken;
        IReadOnlyList<System.Net.IPAddress> trustedProxies;
        int nodeCapacity = 0;
        byte[]? linkKey = null;
        try
        {
            if (!Uri.TryCreate(http, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new UsageException($"--http '{http}' is not a URL: write e.g. {DefaultHttp}");
            opsToken = OpsTokenFromEnvironment();
            trustedProxies = TrustedProxies();
            config = VisionConfigLoader.Load(configPath);
            signer = ReplayRunner.Signer();
            database = await Hosting.CaseDatabaseOpener.OpenWaitingAsync(config, Console.Error, TimeProvider.System, ct).ConfigureAwait(false);
            store = EvidenceStoreFactory.Create(config.Evidence);
            if (config.Dispatch is not null)
                dispatchKey = DispatchKey() ?? throw new UsageException(
                    $"dispatch is configured but {WebhookSignature.KeyVariable} is not set: every delivery is signed; set it to the key agreed with the dispatch core (hex or base64, at least 16 bytes)");
            detector = DetectorFactory.Load(config);
            plates = CasePlateReader.Open(config.Plates);
            if (config.Cluster is { } clusterConfig) nodeCapacity = NodeCapacity(clusterConfig);
            // Nodes sharing the database share the evidence links' key: a link made on one node opens on every node.
            if (database is PostgresCaseDatabase) linkKey = await SharedLinkKeyAsync(database, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("vision run: stopped while waiting for the case database");
            return 0;
        }
        catch (Npgsql.NpgsqlException e)
        {
            return CommandErrors.Fail("run", $"the case database stopped answering at start ({e.Message}); check the PostgreSQL server and start again");
        }
        catch (Exception e) when (CommandErrors.UserFacing(e) is { } message)
        {
            return CommandErrors.Fail("run", message);
        }

        await using var caseLog = new CaseLog(Path.Combine(config.Evidence.Directory, "cases.jsonl"), append: true);
        using var dispatchHttp = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        using (store)
        using (detector)
        using (plates)
        using (var renderer = new PhotoRenderer(config.Evidence.JpegQuality))
        {
            var node = new VisionNodeParts(config, detector, store, database, renderer, caseLog, dispatchHttp)
            {
                Plates = plates,
                Signer = signer,
                DispatchKey = dispatchKey,
                NodeCapacity = nodeCapacity,
            };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(http);
            // The slim builder leaves out Kestrel's HTTPS configuration; with it an https:// --http URL takes its
            // certificate from ASPNETCORE_Kestrel__Certificates__Default__Path (and __KeyPath or __Password).
            builder.WebHost.UseKestrelHttpsConfiguration();
            ConfigureLogging(builder.Logging, logJson);
            builder.Services.AddVisionConsole(new SessionStore(database), opsToken, config.Console);
            // Nodes sharing the database share the console's cookie keys: a browser signed in on one node is signed in on all.
            if (database is PostgresCaseDatabase) SharedKeyRing.Use(builder.Services, new SharedKeys(database), TimeProvider.System);
            builder.Services.AddVision(node);

            var app = builder.Build();
            var startLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Service");
            if (!renderer.HasCjkFont) startLog.LogWarning("no Chinese font installed: labels on evidence photos will show empty boxes (install fonts-noto-cjk)");
            if (signer is null) startLog.LogWarning("no {Variable} set: case manifests are written unsigned", Evidence.ManifestSigner.KeyVariable);
            if (trustedProxies.Count > 0) app.UseForwardedHeaders(ForwardedHeaders(trustedProxies));
            app.UseSecurityHeaders(new SecurityHeaders(EvidenceOrigins(config.Evidence.Store)));
            app.UseAuthentication();
            app.UseRequestBodyLimits();
            app.UseAuthorization();
            app.MapVision(node, opsToken, linkKey);

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

    private static void ConfigureLogging(ILoggingBuilder logging, bool json)
    {
        logging.ClearProviders();
        if (json) logging.AddJsonConsole(o => o.IncludeScopes = true);
        else logging.AddSimpleConsole(o => { o.IncludeScopes = true; o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Vision.ReviewConsole.OpsTokenHandler", LogLevel.Warning); // one line per refused scrape otherwise
    }

    private static OpsToken OpsTokenFromEnvironment()
    {
        try { return OpsToken.FromEnvironment(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static List<System.Net.IPAddress> TrustedProxies()
    {
        var list = new List<System.Net.IPAddress>();
        foreach (var item in (Environment.GetEnvironmentVariable(TrustedProxiesVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(System.Net.IPAddress.TryParse(item, out var address) ? address
                : throw new UsageException($"{TrustedProxiesVariable}: '{item}' is not an IP address (write the proxy's addresses, comma-separated)"));
        return list;
    }

    /// <summary>
    /// Behind a TLS-terminating reverse proxy: the client's address (sign-in throttling, audit) and scheme (Secure
    /// cookies) come from X-Forwarded-For / X-Forwarded-Proto, but only on connections from the listed proxies.
    /// </summary>
    private static ForwardedHeadersOptions ForwardedHeaders(IReadOnlyList<System.Net.IPAddress> proxies)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownIPNetworks.Clear(); // the default trusts loopback; only the configured proxies are believed
        options.KnownProxies.Clear();
        foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
        return options;
    }

    /// <summary>Where evidence links may redirect the browser: an S3 store's endpoint (path-style presigned URLs).</summary>
    private static IReadOnlyList<Uri> EvidenceOrigins(EvidenceStoreConfig store) =>
        store.Type == EvidenceStoreType.Local || store.Host is null ? [] : [new UriBuilder(store.Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, store.Host, store.Port).Uri];

    private static WebhookSignature? DispatchKey()
    {
        try { return WebhookSignature.FromEnvironment(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>This node's weight in the cluster: VISION_NODE_CAPACITY when set (nodes of different sizes share one config), else cluster.capacity.</summary>
    private static int NodeCapacity(ClusterConfig cluster)
    {
        var text = Environment.GetEnvironmentVariable("VISION_NODE_CAPACITY");
        if (string.IsNullOrWhiteSpace(text)) return cluster.Capacity;
        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out int capacity) && capacity is >= 1 and <= 10_000
            ? capacity
            : throw new UsageException($"VISION_NODE_CAPACITY is '{text}': write the number of cameras this node can carry (1 to 10000), or unset it to use cluster.capacity");
    }

    internal static CaseDatabase OpenDatabase(VisionConfig config) => Hosting.CaseDatabaseOpener.Open(config);

    /// <summary>The evidence links' key all nodes share; a database that went away just after the open is waited for as at the open.</summary>
    private static async Task<byte[]> SharedLinkKeyAsync(CaseDatabase database, CancellationToken ct)
    {
        var backoff = new Retry.ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Random.Shared);
        while (true)
        {
            try { return await new SharedKeys(database).GetOrCreateAsync("evidence-links", DateTimeOffset.UtcNow, ct).ConfigureAwait(false); }
            catch (Exception e) when (DatabaseFailure.IsUnavailable(e))
            {
                var delay = backoff.Next();
                Console.Error.WriteLine($"vision run: the case database does not answer ({DatabaseFailure.Describe(e)}); waiting for it (next try in {delay.TotalSeconds:0.0} s)");
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }
        }
    }
}
