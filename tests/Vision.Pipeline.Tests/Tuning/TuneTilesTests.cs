using Vision.Models;
using Vision.Pipeline.Tools.Tuning;
using Xunit.Abstractions;

namespace Vision.Pipeline.Tests.Tuning;

/// <summary>Real model, footage and ffmpeg: <c>analysis.tiles</c> swept over the street-parking clip, one detection pass per value.</summary>
public sealed class TuneTilesTests(ITestOutputHelper output)
{
    // A minimal truth written here: the nine cars on the near kerb (boxes from samples/footage/street-parking-hevc.truth.yaml), parked throughout.
    private const string Truth = """
        version: 1
        clips:
          - clip: street-parking-hevc.mp4
            camera: hillside-street
            start: 2026-11-23T09:00:00+08:00
            violations:
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.000, 0.775, 0.037, 0.065] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.043, 0.762, 0.050, 0.070] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.104, 0.740, 0.063, 0.080] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.178, 0.743, 0.085, 0.080] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.279, 0.750, 0.094, 0.093] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.400, 0.745, 0.123, 0.095] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.568, 0.755, 0.113, 0.095] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.711, 0.745, 0.097, 0.088] }
              - { rule: parking-near-kerb, from: 0s, to: 47.3s, box: [0.866, 0.728, 0.086, 0.117] }
        """;

    [SharedDataFact]
    public async Task Tiles_off_and_2x1_each_get_a_detection_pass_and_a_row_and_2x1_finds_at_least_as_many_parked_cars()
    {
        Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, SharedData.ModelsDir);
        string dir = Directory.CreateTempSubdirectory("vision-tune-tiles-").FullName;
        string truth = Path.Combine(dir, "street.truth.yaml");
        File.WriteAllText(truth, Truth);
        var options = new TuneOptions([Path.Combine(SharedData.ProjectRoot, "samples", "footage", "street-parking-hevc.yaml")], [truth],
            Path.Combine(SharedData.Root!, "footage"), [SweepAxis.ParseSet("analysis.tiles=off,2x1")], Path.Combine(dir, "out"));

        var result = await TuneRunner.RunAsync(options, CancellationToken.None);
        string summary = TuneReport.Summary(result, top: 5);
        output.WriteLine(summary);

        Assert.Equal(["analysis.tiles=off", "analysis.tiles=2x1"], result.Detections.Select(d => d.Setting));
        Assert.Null(result.Detections[0].Analysis.Tiles);
        Assert.Equal(2, result.Detections[1].Analysis.Tiles!.Columns);
        Assert.Contains("detect street-parking-hevc at 1 fps, no tiles:", summary);
        Assert.Contains("detect street-parking-hevc at 1 fps, tiles 2x1 over the zones, overlap 0.2:", summary);
        var off = Assert.Single(result.Rows, r => r.Setting.ValueOf(0).Text == "off");
        var tiled = Assert.Single(result.Rows, r => r.Setting.ValueOf(0).Text == "2x1");
        Assert.True(tiled.Overall.Hits >= off.Overall.Hits, $"2x1 found {tiled.Overall.Hits} parked cars, off {off.Overall.Hits}");
        // The sample camera has tiles, so off as the best is written as removing them.
        Assert.Contains(result.Rows[0] == tiled ? "analysis: { tiles: { grid: 2x1, overlap: 0.2, area: zones } }" : "analysis: { tiles: ~ }", TuneReport.BestYaml(result));
    }
}
