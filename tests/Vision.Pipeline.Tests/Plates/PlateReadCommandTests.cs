using System.Text.Json;
using Vision.Pipeline.Tests.Dispatch;
using Vision.Tests.Common;

namespace Vision.Pipeline.Tests.Plates;

/// <summary><c>vision plate read</c> as an officer runs it: a child process, its JSON lines, its exit codes.</summary>
public sealed class PlateReadCommandTests
{
    [PlateDataFact]
    public void A_real_crop_prints_one_json_line_with_the_plate()
    {
        string crop = PlateData.Plate("crops/easypr_012.png");

        var (exitCode, stdout, stderr) = VisionCli.RunSplit("plate", "read", "--models", PlateData.ModelsDir, crop);

        Assert.True(exitCode == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(crop, json.RootElement.GetProperty("image").GetString());
        var plate = Assert.Single(json.RootElement.GetProperty("plates").EnumerateArray(), p => p.GetProperty("text").ValueKind == JsonValueKind.String);
        Assert.Equal("沪AGH092", plate.GetProperty("text").GetString());
        Assert.InRange(plate.GetProperty("confidence").GetDouble(), 0.8, 1);
        Assert.True(plate.GetProperty("box").GetProperty("width").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Null, plate.GetProperty("reason").ValueKind);
        Assert.Contains("沪AGH092", line); // written as characters, not \u escapes
    }

    [PlateDataFact]
    public void An_unreadable_image_is_named_the_others_are_still_read_and_the_exit_code_says_so()
    {
        string notAnImage = Path.Combine(Directory.CreateTempSubdirectory("vision-plate-").FullName, "notes.jpg");
        File.WriteAllText(notAnImage, "not a photo");
        string crop = PlateData.Plate("crops/easypr_027.png");

        var (exitCode, stdout, stderr) = VisionCli.RunSplit("plate", "read", "--models", PlateData.ModelsDir, notAnImage, "missing.jpg", crop);

        Assert.Equal(1, exitCode);
        Assert.Contains($"'{notAnImage}' is not an image", stderr);
        Assert.Contains("'missing.jpg' does not exist", stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("浙B7C289", line);
    }

    [Fact]
    public void Missing_models_give_one_message_saying_how_to_get_them_and_exit_2()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-ppocr-" + Guid.NewGuid().ToString("N"));

        var (exitCode, stdout, stderr) = VisionCli.RunSplit("plate", "read", "--models", missing, "photo.jpg");

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        var message = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("vision plate read: plate models folder", message);
        Assert.Contains("scripts/get-plate-models.sh", message);
    }
}
