using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;
using Vision.Rules.Config;

namespace Vision.Pipeline.Hosting;

/// <summary>
/// Applies edits of the config file (and of the zones files it includes) without a restart: compares their contents
/// every two seconds, loads and checks an edited config, and either applies it — the cameras first, then the evidence
/// settings new cases take — or refuses it with the reason and keeps the running one (<see cref="RunningConfig"/>).
/// </summary>
internal sealed class ConfigReload(RunningConfig running, CameraService cameras, EvidenceService evidence, IReadOnlyList<string> classNames,
    VisionMetrics metrics, TimeProvider clock, ILogger log) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private string _fingerprint = ConfigFingerprint(running.Current);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, clock, stoppingToken).ConfigureAwait(false);
                string fingerprint = ConfigFingerprint(running.Current);
                if (fingerprint == _fingerprint) continue;
                _fingerprint = fingerprint;
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Loads and checks the edited config; applies it, or refuses it with the reason and keeps the running one.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var was = running.Current;
        VisionConfig next;
        try
        {
            next = VisionConfigLoader.Load(was.SourcePath);
            ClassNameCheck.Validate(next, classNames);
            if (next.Detector != was.Detector)
                log.LogWarning("config: detector settings changed; they take effect at the next restart (the model stays loaded)");
            if (next.Evidence with { PreRoll = was.Evidence.PreRoll, PostRoll = was.Evidence.PostRoll, JpegQuality = was.Evidence.JpegQuality } != was.Evidence)
                log.LogWarning("config: evidence storage settings (directory, spool, store, retention) changed; they take effect at the next restart");
            if (next.Plates != was.Plates)
                log.LogWarning("config: plates settings changed; they take effect at the next restart (plate reading stays as it started)");
        }
        catch (ConfigException e)
        {
            running.Refuse(e.Message);
            metrics.ConfigReload(failed: true);
            log.LogError("config edit refused, the previous config keeps running:{NewLine}{Errors}", Environment.NewLine, e.Message);
            return;
        }
        running.Accept(next);
        await cameras.ApplyAsync(next, ct).ConfigureAwait(false);
        var now = next.Evidence;
        if (now.PreRoll != was.Evidence.PreRoll || now.PostRoll != was.Evidence.PostRoll || now.JpegQuality != was.Evidence.JpegQuality)
        {
            evidence.UseSettings(now);
            log.LogInformation("config: new cases use pre_roll {PreRoll}, post_roll {PostRoll}, jpeg_quality {Quality}",
                ConfigDuration.Format(now.PreRoll), ConfigDuration.Format(now.PostRoll), now.JpegQuality);
        }
        running.Applied();
        metrics.ConfigReload(failed: false);
        log.LogInformation("config reloaded: {Count} camera(s)", next.Cameras.Count);
    }

    /// <summary>The config file's and its included files' (zones files') contents: an edit of any of them is a reload.</summary>
    private static string ConfigFingerprint(VisionConfig config)
    {
        var fingerprint = new System.Text.StringBuilder(FileFingerprint(config.SourcePath));
        foreach (var included in config.IncludedFiles) fingerprint.Append(' ').Append(FileFingerprint(included));
        return fingerprint.ToString();
    }

    private static string FileFingerprint(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) : "missing";
        }
        catch (IOException)
        {
            return "unreadable";
        }
    }
}
