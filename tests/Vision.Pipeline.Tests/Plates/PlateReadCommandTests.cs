using System.Text.Json;
using Vision.Pipeline.Cli;
using Vision.Pipeline.Tests.Dispatch;

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
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains($"'{notAnImage}' is not an image", Error(lines[0]));
        Assert.Contains("'missing.jpg' does not exist", Error(lines[1]));
        Assert.Contains("浙B7C289", lines[2]);
    }

    [PlateDataFact]
    public void Hostile_images_are_refused_one_json_line_each_before_decoding_and_the_good_image_after_them_is_read()
    {
        string dir = Directory.CreateTempSubdirectory("vision-plate-").FullName;
        string hugePng = Path.Combine(dir, "huge.png"), hugeJpeg = Path.Combine(dir, "huge.jpg"), half = Path.Combine(dir, "half.jpg");
        File.WriteAllBytes(hugePng, HostileImages.PngDeclaring(30000, 30000));
        File.WriteAllBytes(hugeJpeg, HostileImages.JpegDeclaring(65500, 65500));
        File.WriteAllBytes(half, HostileImages.FirstHalf(File.ReadAllBytes(PlateData.Plate("scenes/ccpd_007.jpg"))));
        string crop = PlateData.Plate("crops/easypr_027.png");

        var (exitCode, stdout, stderr) = VisionCli.RunSplit("plate", "read", "--models", PlateData.ModelsDir, hugePng, hugeJpeg, half, crop);

        Assert.Equal(PlateCommand.SomeImagesUnreadable, exitCode);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
        Assert.DoesNotContain("OpenCV", stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal($"'{hugePng}' declares 30000×30000 pixels (900 megapixels), beyond the limit of 16384 pixels a side and 80 megapixels: "
            + "not decoded; scale the photo down (a plate photo needs no more than 4096 pixels a side) and read it again", Error(lines[0]));
        Assert.StartsWith($"'{hugeJpeg}' declares 65500×65500 pixels (", Error(lines[1]));
        Assert.Contains("beyond the limit of 16384 pixels a side and 80 megapixels", Error(lines[1]));
        Assert.StartsWith($"'{half}' is truncated: the JPEG ends", Error(lines[2]));
        foreach (var line in lines[..3])
        {
            using var json = JsonDocument.Parse(line);
            Assert.Empty(json.RootElement.GetProperty("plates").EnumerateArray());
            Assert.Contains($"vision plate read: {json.RootElement.GetProperty("error").GetString()}", stderr);
        }
        using (var good = JsonDocument.Parse(lines[3]))
        {
            Assert.Equal(crop, good.RootElement.GetProperty("image").GetString());
            Assert.False(good.RootElement.TryGetProperty("error", out _));
        }
        Assert.Contains("浙B7C289", lines[3]);
    }

    private static string Error(string line)
    {
        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("error").GetString()!;
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
