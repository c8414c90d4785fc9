using System.CommandLine;
using System.Globalization;
using Vision.Pipeline.Tools.Evaluation;
using Vision.Rules.Config;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision eval</c>: replays the clips of a truth file, scores the cases against the labels, writes a report, and exits 1 below the thresholds given.</summary>
internal static class EvalCommand
{
    /// <summary>Exit code when a rule or the overall sum scores below a --min-* threshold.</summary>
    public const int BelowThreshold = 1;

    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "YAML config with the cameras and rules to evaluate", Required = true };
        var truth = new Option<string>("--truth") { Description = "truth file (*.truth.yaml, docs/truth.md) labelling the clips", Required = true };
        var footage = new Option<string?>("--footage") { Description = "folder that relative clip paths start from (default: the truth file's folder)" };
        var source = new Option<string?>("--source") { Description = "video to replay instead of the truth's clip: for a truth with one clip, or the clip of the same file name" };
        var output = new Option<string>("--out") { Description = "folder for each clip's replay output and report.md / report.html", DefaultValueFactory = _ => EvalOptions.DefaultOutputDirectory };
        var minPrecision = new Option<double?>("--min-precision") { Description = "exit 1 when a rule's or the overall precision is below this (0..1)" };
        var minRecall = new Option<double?>("--min-recall") { Description = "exit 1 when a rule's or the overall recall is below this (0..1)" };
        var minF1 = new Option<double?>("--min-f1") { Description = "exit 1 when a rule's or the overall F1 is below this (0..1)" };
        var quiet = new Option<bool>("--quiet") { Description = "print nothing but errors and thresholds missed" };

        var command = new Command("eval", "Replay labelled clips and score the cases against their truth: per rule hits, false cases, misses, precision, recall, F1 and confirmation delay.")
        {
            config, truth, footage, source, output, minPrecision, minRecall, minF1, quiet,
        };
        command.SetAction(async (parsed, ct) =>
        {
            bool silent = parsed.GetValue(quiet);
            var thresholds = new EvalThresholds(parsed.GetValue(minPrecision), parsed.GetValue(minRecall), parsed.GetValue(minF1));
            if (BadThreshold(thresholds) is { } bad) return CommandErrors.Fail("eval", bad);
            var options = new EvalOptions(parsed.GetValue(config)!, parsed.GetValue(truth)!, parsed.GetValue(output)!)
            {
                FootageDirectory = parsed.GetValue(footage),
                Source = parsed.GetValue(source),
                Thresholds = thresholds,
                Warn = silent ? null : w => Console.Error.WriteLine("vision eval: warning: " + w),
                Progress = silent ? null : p => Console.Error.WriteLine("vision eval: " + p),
            };
            return await RunAsync(options, silent, ct).ConfigureAwait(false);
        });
        return command;
    }

    // Several mistakes read "N mistakes:", not "in the config": they may be the truth file's.
    private static Task<int> RunAsync(EvalOptions options, bool quiet, CancellationToken ct) => CommandErrors.RunAsync("eval", async () =>
        {
            var result = await EvalRunner.RunAsync(options, ct).ConfigureAwait(false);
            var (markdown, html) = await EvalReport.WriteAsync(result, ct).ConfigureAwait(false);
            if (!quiet)
            {
                Console.Write(EvalReport.Table(result.Rules, result.Overall));
                Console.WriteLine($"report: {markdown} and {html}");
            }
            var failures = options.Thresholds.Failures(result.Rules, result.Overall);
            foreach (var failure in failures) Console.Error.WriteLine($"vision eval: {failure}");
            return failures.Count == 0 ? 0 : BelowThreshold;
        }, ct, e => e is ConfigException { Errors.Count: > 1 } c ? CommandErrors.Mistakes(c, "mistakes") : null);

    private static string? BadThreshold(EvalThresholds t)
    {
        foreach (var (name, value) in new[] { ("--min-precision", t.MinPrecision), ("--min-recall", t.MinRecall), ("--min-f1", t.MinF1) })
            if (value is { } v && (double.IsNaN(v) || v < 0 || v > 1))
                return string.Create(CultureInfo.InvariantCulture, $"{name} {v} is not a fraction: give a value from 0 to 1, e.g. {name} 0.8");
        return null;
    }
}
