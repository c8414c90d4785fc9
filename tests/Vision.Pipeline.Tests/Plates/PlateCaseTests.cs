using System.Diagnostics;
using System.Text.Json;
using OpenCvSharp;
using Vision.Pipeline.Tools.Replay;

namespace Vision.Pipeline.Tests.Plates;

/// <summary>
/// Plates through the real replay path (real detector, real OCR models): a parked car's case names its plate; a
/// different plate in the same spot is a new case; the first car back within the cooldown is not. Foreign footage
/// gives no plate, never a Chinese-looking guess.
/// </summary>
public sealed class PlateCaseTests
{
    private const string Start = "2026-11-23T09:00:00+08:00";

    // A real car-park camera photo (EasyPR, Apache-2.0): a blue saloon, plate 粤B5W601 at (1321..1577, 722..804).
    private const string Scene = "scenes/easypr_028.jpg";
    private const string ScenePlate = "粤B5W601";
    private static readonly Rect PlateArea = new(1321, 722, 256, 82);
    // Another real plate photo, pasted over the car's own: the same place now holds a vehicle with another plate.
    private const string OtherCrop = "crops/easypr_014.png";
    private const string OtherPlate = "沪KT5583";

    private static string Config(string models) => $$"""
        detector:
          model: yolox_nano
        plates:
          models: {{models}}
        cameras:
          - id: carpark-east
            name: 停车场东侧
            analysis: { fps: 1, max_width: 960 }
            zones:
              - id: bay
                polygon: [[0.5, 0.3], [1.0, 0.3], [1.0, 1.0], [0.5, 1.0]]
            rules:
              - { id: no-parking, type: illegal_parking, zones: [bay], classes: [car, truck, bus], anchor: center, min_confidence: 0.3, dwell: 10s, cooldown: 30m }
        """;

    [PlateDataFact]
    public async Task A_parked_cars_case_names_its_plate_a_new_plate_in_the_spot_is_a_new_case_and_the_first_car_back_is_not()
    {
        string dir = Directory.CreateTempSubdirectory("vision-plate-case-").FullName;
        string video = Path.Combine(dir, "carpark.mp4");
        await MakeVideoAsync(dir, video);
        string config = Path.Combine(dir, "vision.yaml");
        await File.WriteAllTextAsync(config, Config(PlateData.ModelsDir));
        Environment.SetEnvironmentVariable(Models.ModelLocator.EnvironmentVariable, SharedData.ModelsDir);

        string output = Path.Combine(dir, "out");
        await ReplayRunner.RunAsync(new ReplayOptions(config, video, null, output, Start, null), null, CancellationToken.None);
        var cases = File.ReadAllLines(Path.Combine(output, "cases.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal([ScenePlate, OtherPlate], cases.Select(c => c.GetProperty("plate").GetProperty("text").GetString()));
        foreach (var c in cases)
        {
            var plate = c.GetProperty("plate");
            Assert.True(plate.GetProperty("confidence").GetDouble() >= 0.8);
            Assert.NotEmpty(plate.GetProperty("readings").EnumerateArray());
            // The box is in the original photo's pixels, inside the vehicle's box.
            var box = plate.GetProperty("box");
            var vehicle = c.GetProperty("objects")[0].GetProperty("box");
            Assert.InRange(box.GetProperty("x").GetInt32(), vehicle.GetProperty("x").GetInt32(), vehicle.GetProperty("x").GetInt32() + vehicle.GetProperty("width").GetInt32());
            Assert.EndsWith("-original.jpg", plate.GetProperty("photo").GetString());
            var gat = c.GetProperty("compliance").GetProperty("gaT832").GetProperty("checks").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "plate_legible");
            Assert.True(gat.GetProperty("met").GetBoolean());
        }
        var first = cases[0].GetProperty("plate").GetProperty("box");
        Assert.True(Math.Abs(first.GetProperty("x").GetInt32() - PlateArea.X) < 40 && Math.Abs(first.GetProperty("y").GetInt32() - PlateArea.Y) < 40, $"plate box {first} is not where the plate is");
    }

    [PlateDataFact]
    public async Task Foreign_footage_gives_parking_cases_no_plate_with_the_reason_never_a_guess()
    {
        string dir = Directory.CreateTempSubdirectory("vision-plate-foreign-").FullName;
        string yaml = await File.ReadAllTextAsync(Path.Combine(SharedData.ProjectRoot, "samples", "footage", "street-parking-hevc.yaml"));
        string config = Path.Combine(dir, "vision.yaml");
        await File.WriteAllTextAsync(config, yaml.Replace("detector:\n", $"plates:\n  models: {PlateData.ModelsDir}\ndetector:\n", StringComparison.Ordinal));
        Environment.SetEnvironmentVariable(Models.ModelLocator.EnvironmentVariable, SharedData.ModelsDir);

        string output = Path.Combine(dir, "out");
        await ReplayRunner.RunAsync(new ReplayOptions(config, SharedData.Footage("street-parking-hevc.mp4"), null, output, Start, null), null, CancellationToken.None);
        var cases = File.ReadAllLines(Path.Combine(output, "cases.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.NotEmpty(cases);
        Assert.All(cases, c =>
        {
            var plate = c.GetProperty("plate");
            Assert.Equal(JsonValueKind.Null, plate.GetProperty("text").ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(plate.GetProperty("reason").GetString()));
        });
    }

    /// <summary>The car 40 s, nothing 40 s (longer than the tracker keeps a lost track), the same car with another plate 40 s, nothing 40 s, the first car again 40 s.</summary>
    private static async Task MakeVideoAsync(string dir, string video)
    {
        using var scene = Cv2.ImRead(PlateData.Plate(Scene), ImreadModes.Color);
        using var other = scene.Clone();
        using (var crop = Cv2.ImRead(PlateData.Plate(OtherCrop), ImreadModes.Color))
        using (var resized = new Mat())
        {
            Cv2.Resize(crop, resized, PlateArea.Size, 0, 0, InterpolationFlags.Area);
            resized.CopyTo(new Mat(other, PlateArea));
        }
        using var empty = new Mat(scene.Size(), MatType.CV_8UC3, Scalar.Black);
        string a = Path.Combine(dir, "a.png"), b = Path.Combine(dir, "b.png"), none = Path.Combine(dir, "none.png");
        Cv2.ImWrite(a, scene);
        Cv2.ImWrite(b, other);
        Cv2.ImWrite(none, empty);
        (string File, int Seconds)[] parts = [(a, 40), (none, 40), (b, 40), (none, 40), (a, 40)];
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-y" };
        foreach (var (file, seconds) in parts) args.AddRange(["-loop", "1", "-framerate", "5", "-t", seconds.ToString(), "-i", file]);
        args.AddRange(["-filter_complex", string.Concat(parts.Select((_, i) => $"[{i}:v]")) + $"concat=n={parts.Length}:v=1:a=0,format=yuv420p[v]", "-map", "[v]",
            "-c:v", "libx264", "-preset", "veryfast", "-g", "10", "-r", "5", video]);
        using var ffmpeg = Process.Start("ffmpeg", args)!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
    }
}
