using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenCvSharp;
using Vision.Models;
using Vision.Models.Plates;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision plate read IMAGE…</c>: every plate in each photo as one JSON line, for officers checking a photo and for
/// evaluation. An image that cannot be read gets its own message on stderr; the others are still read.
/// </summary>
public static class PlateCommand
{
    /// <summary>Environment variable naming the folder of the PP-OCRv4 plate models.</summary>
    public const string ModelsVariable = "VISION_PLATE_MODELS";

    /// <summary>Some images could not be read (each named on stderr); the rest were printed.</summary>
    public const int SomeImagesUnreadable = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // plates are Chinese: print 京A12345, not \u4EAC
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static Command Create() => new("plate", "Licence plates.") { ReadCommand() };

    /// <summary>The plate models folder: --models, else $VISION_PLATE_MODELS, else models/ppocr under the working folder.</summary>
    public static string ModelsDirectory(string? option) =>
        option ?? (Environment.GetEnvironmentVariable(ModelsVariable) is { Length: > 0 } fromEnv ? fromEnv : Path.Combine("models", "ppocr"));

    private static Command ReadCommand()
    {
        var models = new Option<string?>("--models") { Description = $"folder of the PP-OCRv4 models (default: ${ModelsVariable}, else models/ppocr); get them with scripts/get-plate-models.sh" };
        var images = new Argument<string[]>("IMAGE") { Description = "photos (JPEG, PNG, …) to read", Arity = ArgumentArity.OneOrMore };
        var read = new Command("read", "Print every plate in each image as one JSON line: text (null when not legible, with the reason), confidence, box.") { models, images };
        read.SetAction(async (parsed, ct) => await EvidenceCommand.RunAsync("read", () =>
        {
            using var reader = PlateReader.Load(ModelsDirectory(parsed.GetValue(models)));
            int failed = 0;
            foreach (var path in parsed.GetValue(images)!)
            {
                ct.ThrowIfCancellationRequested();
                if (ReadImage(reader, path) is { } line) Console.WriteLine(line);
                else failed++;
            }
            return Task.FromResult(failed == 0 ? 0 : SomeImagesUnreadable);
        }, "plate").ConfigureAwait(false));
        return read;
    }

    private static string? ReadImage(PlateReader reader, string path)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"vision plate read: image '{path}' does not exist: check the path (relative paths start from {Environment.CurrentDirectory})");
            return null;
        }
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        if (image.Empty())
        {
            Console.Error.WriteLine($"vision plate read: '{path}' is not an image OpenCV can read (JPEG, PNG, BMP, TIFF, WebP): convert it or pass another file");
            return null;
        }
        var plates = reader.ReadAll(image).Select(r => new
        {
            text = r.Text,
            confidence = Math.Round(r.Confidence, 3),
            box = new { x = r.Box.X, y = r.Box.Y, width = r.Box.Width, height = r.Box.Height },
            raw = r.RawText,
            reason = r.Reason,
        });
        return JsonSerializer.Serialize(new { image = path, plates }, Json);
    }
}
