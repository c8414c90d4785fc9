using System.CommandLine;
using Vision.Pipeline.Tools.Replay;
using Vision.Pipeline.Tools.Tuning;

namespace Vision.Pipeline.Cli;

/// <summary><c>vision tune</c>: sweeps rule and tracker settings over labelled clips and prints how each setting scores.</summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var config = new Option<string[]>("--config") { Description = "YAML config with the clips' cameras (again for each truth file, in the same order, when the clips come from different configs)", Required = true, Arity = ArgumentArity.OneOrMore };
        var truth = new Option<string[]>("--truth") { Description = "labelled truth file (docs/truth.md); may be given more than once", Required = true, Arity = ArgumentArity.OneOrMore };
        var footage = new Option<string?>("--footage") { Description = "folder the truth files' relative clip paths start from (default: each truth file's folder)" };
        var set = new Option<string[]>("--set") { Description = "a swept key and its values, e.g. rule.dwell=10s,20s or rule.<id>.min_confidence=0.2,0.3 or tracker.high_score=0.3,0.4 or analysis.fps=1,2; repeat for more keys", Arity = ArgumentArity.ZeroOrMore };
        var grid = new Option<string?>("--grid") { Description = "YAML file of swept keys and their values (key: [v1, v2]), added to --set" };
        var output = new Option<string>("--out") { Description = "folder for tune.md, tune.csv, the recorded detections and the replays", DefaultValueFactory = _ => "tune-out" };
        var top = new Option<int>("--top") { Description = "rows printed (tune.md and tune.csv hold every row)", DefaultValueFactory = _ => 20 };

        var command = new Command("tune", "Replay labelled clips once, then re-run tracking and rules for every combination of the swept settings and score each against the truth.")
        {
            config, truth, footage, set, grid, output, top,
        };
        command.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("tune", async () =>
            {
                var axes = (parsed.GetValue(set) ?? []).Select(SweepAxis.ParseSet).ToList();
                if (parsed.GetValue(grid) is { } gridFile) axes.AddRange(SweepGrid.ReadFile(gridFile));
                int rows = parsed.GetValue(top);
                if (rows < 1) throw new UsageException($"--top {rows}: give the number of rows to print, 1 or more");
                string outDir = parsed.GetValue(output)!;
                var options = new TuneOptions(parsed.GetValue(config)!, parsed.GetValue(truth)!, parsed.GetValue(footage), axes, outDir, rows)
                {
                    Progress = line => Console.Error.WriteLine("vision tune: " + line),
                };
                var result = await TuneRunner.RunAsync(options, ct).ConfigureAwait(false);
                Directory.CreateDirectory(outDir);
                await File.WriteAllTextAsync(Path.Combine(outDir, "tune.md"), TuneReport.Markdown(result), ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(outDir, "tune.csv"), TuneReport.Csv(result), ct).ConfigureAwait(false);
                Console.Write(TuneReport.Summary(result, rows));
                Console.WriteLine($"every row: {Path.Combine(outDir, "tune.md")}, {Path.Combine(outDir, "tune.csv")}");
                return 0;
            }, ct).ConfigureAwait(false));
        return command;
    }
}
