using System.CommandLine;
using System.Globalization;
using Vision.Pipeline.Tools.Evaluation;
using Vision.Pipeline.Tools.Replay;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision cases export-labels</c>: writes the officers' confirmed and rejected cases as a truth file, so a rule change can be checked against what was already decided.</summary>
internal static class ExportLabelsCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the config of 'vision run' (its evidence.directory holds the case database)", Required = true };
        var output = new Option<string>("--out") { Description = "truth file to write, e.g. decided.truth.yaml", Required = true };
        var camera = new Option<string?>("--camera") { Description = "one camera id (default: every camera)" };
        var from = new Option<string?>("--from") { Description = "cases confirmed at or after this ISO-8601 time (without an offset: UTC)" };
        var to = new Option<string?>("--to") { Description = "cases confirmed before this ISO-8601 time (without an offset: UTC)" };
        var command = new Command("export-labels", "Write confirmed and dispatched cases as violations and rejected ones as quiet windows of a truth file (docs/truth.md) for 'vision eval'.")
        {
            config, output, camera, from, to,
        };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("cases export-labels", async () =>
        {
            var filter = new TruthExportFilter(parsed.GetValue(camera), Time(parsed.GetValue(from), "--from"), Time(parsed.GetValue(to), "--to"));
            if (filter.From is { } f && filter.To is { } t && t <= f) throw new UsageException("--to must be later than --from");
            var (loaded, catalog) = EvidenceCommand.OpenCatalog(parsed.GetValue(config)!);
            if (filter.CameraId is { } id && loaded.FindCamera(id) is null)
                Console.Error.WriteLine($"vision cases export-labels: warning: camera '{id}' is not in {loaded.SourcePath} (its cases are exported in UTC)");
            var result = await TruthExport.BuildAsync(new CaseStore(catalog.Database), loaded, filter, ct).ConfigureAwait(false);
            string path = parsed.GetValue(output)!;
            if (result.Clips == 0)
                throw new UsageException($"no confirmed, dispatched or rejected case{(filter.CameraId is null ? "" : $" on camera '{filter.CameraId}'")}{(filter.From is null && filter.To is null ? "" : " in that time")} in {catalog.Database.Description}: nothing to export, '{path}' not written");
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
                await File.WriteAllTextAsync(path, result.Yaml, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot write --out '{path}': {e.Message}");
            }
            Console.WriteLine($"{path}: {result.Clips} clip(s), {result.Violations} violation(s), {result.QuietWindows} quiet window(s); put the recordings at each 'clip:' before 'vision eval'");
            return 0;
        }).ConfigureAwait(false));
        return command;
    }

    private static DateTimeOffset? Time(string? text, string option)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        throw new UsageException($"{option} '{text}' is not an ISO-8601 time: write e.g. 2026-11-23T00:00:00+08:00");
    }
}
