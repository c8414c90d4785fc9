using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenCvSharp;
using Vision.Models;
using Vision.Models.Imaging;
using Vision.Models.Plates;

namespace Vision.Pipeline.Cli;

/// <summary>
/// <c>vision plate read IMAGE…</c>: every plate in each photo as one JSON line, for officers checking a photo and for
/// evaluation. An image that is not read (see <see cref="ImageDecoder"/>: beyond its limits, truncated, not an image) gets
/// a line with an <c>error</c> and no plates, and the same message on stderr; the images after it are still read.
/// </summary>
internal static class PlateCommand
{
    /// <summary>Environment variable naming the folder of the PP-OCRv4 plate models.</summary>
    public const string ModelsVariable = "VISION_PLATE_MODELS";

    /// <summary>Some images were not read (each has an <c>error</c> in its line and a message on stderr); the rest were read.</summary>
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
        read.SetAction(async (parsed, ct) => await CommandErrors.RunAsync("plate read", () =>
        {
            using var reader = PlateReader.Load(ModelsDirectory(parsed.GetValue(models)));
            int failed = 0;
            foreach (var path in parsed.GetValue(images)!)
            {
                ct.ThrowIfCancellationRequested();
                var (line, read) = ReadImage(reader, path);
                Console.WriteLine(line);
                if (!read) failed++;
            }
            return Task.FromResult(failed == 0 ? 0 : SomeImagesUnreadable);
        }).ConfigureAwait(false));
        return read;
    }

    /// <summary>
    /// One image's JSON line. An image that is not read (missing, not an image, beyond the limits, truncated, damaged)
    /// gets a line with no plates and the reason in <c>error</c>, and the same reason on stderr.
    /// </summary>
    private static (string Line, bool Read) ReadImage(PlateReader reader, string path)
    {
        try
        {
            using var image = ImageDecoder.Read(path);
            var plates = reader.ReadAll(image).Select(r => new
            {
                text = r.Text,
                confidence = Math.Round(r.Confidence, 3),
                box = new { x = r.Box.X, y = r.Box.Y, width = r.Box.Width, height = r.Box.Height },
                raw = r.RawText,
                reason = r.Reason,
            });
            return (JsonSerializer.Serialize(new { image = path, plates }, Json), true);
        }
        catch (Exception e) when (e is ImageRejectedException or OpenCVException or OpenCvSharpException)
        {
            // OpenCV failing on one picture (a size the reader cannot work with) is that picture's error, not the batch's.
            string error = e is ImageRejectedException ? e.Message : $"'{path}' could not be read for plates ({e.Message.Trim()})";
            Console.Error.WriteLine($"vision plate read: {error}");
            return (JsonSerializer.Serialize(new { image = path, plates = Array.Empty<object>(), error }, Json), false);
        }
    }
}
