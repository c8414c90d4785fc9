using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using Vision.Models.Imaging;
using Vision.Models.Plates;

namespace Vision.PlateBench;

/// <summary>
/// Plate reading measured on the labelled photos of ../shared/plates and on the shared footage (foreign plates, where every
/// "found" Chinese plate is an invention). Per set: exact-plate rate, character accuracy, unreadable share, the WRONG-plate
/// rate apart (a valid-looking plate that is not the label), ms per image; dark images apart (mean luma estimated here:
/// the labels do not say day or night).
/// Usage: dotnet run -c Release --project bench/Vision.PlateBench -- [--models DIR] [--list] [--footage-step S] [--min-char P] [--box-threshold P] [--unclip R] [--threads N]
/// </summary>
public static class Program
{
    private const double DarkLuma = 70;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Main(string[] args)
    {
        string root = FindProjectRoot();
        string shared = Environment.GetEnvironmentVariable("VISION_SHARED") is { Length: > 0 } s ? s : Path.Combine(root, "..", "shared");
        string plates = Path.Combine(shared, "plates");
        string models = Arg(args, "--models", Path.Combine(shared, "models", "ppocr"));
        if (!File.Exists(Path.Combine(plates, "labels.csv")))
        {
            Console.Error.WriteLine($"plate bench: needs the labelled plates at {Path.GetFullPath(plates)} (labels.csv); set VISION_SHARED to the shared folder");
            return 2;
        }
        var defaults = new PlateReaderOptions();
        var options = defaults with
        {
            MinCharacterConfidence = float.Parse(Arg(args, "--min-char", defaults.MinCharacterConfidence.ToString(Inv)), Inv),
            BoxThreshold = float.Parse(Arg(args, "--box-threshold", defaults.BoxThreshold.ToString(Inv)), Inv),
            UnclipRatio = float.Parse(Arg(args, "--unclip", defaults.UnclipRatio.ToString(Inv)), Inv),
            IntraOpThreads = int.Parse(Arg(args, "--threads", "0"), Inv),
        };
        bool list = args.Contains("--list");
        double footageStep = double.Parse(Arg(args, "--footage-step", "4"), Inv);

        using var reader = PlateReader.Load(models, options);
        var labels = PlateLabels.Read(Path.Combine(plates, "labels.csv"));
        Console.WriteLine(string.Create(Inv,
            $"plate bench: {labels.Count} labelled images in {Path.GetFullPath(plates)}, models {Path.GetFullPath(models)}, {Environment.ProcessorCount} cores; " +
            $"min character confidence {options.MinCharacterConfidence}, box threshold {options.BoxThreshold}, unclip {options.UnclipRatio}"));

        var tallies = new List<PlateTally>();
        tallies.AddRange(Crops(reader, plates, labels));
        tallies.AddRange(Scenes(reader, plates, labels, out var unmatched));
        Console.WriteLine(PlateTally.Header);
        foreach (var t in tallies) Console.WriteLine(t.Row());
        Console.WriteLine($"valid plates read in scenes away from every labelled plate box (untagged vehicles or inventions; check by eye): {unmatched.Count}");
        foreach (var u in unmatched) Console.WriteLine("  " + u);
        if (list)
        {
            foreach (var t in tallies.Where(t => t.Misses.Count > 0))
            {
                Console.WriteLine($"{t.Name}:");
                foreach (var m in t.Misses) Console.WriteLine(m);
            }
        }
        Footage(reader, Path.Combine(shared, "footage"), footageStep);
        return 0;
    }

    private static IEnumerable<PlateTally> Crops(PlateReader reader, string plates, List<LabelledImage> labels)
    {
        var detected = new PlateTally("crops, ReadAll (detector on the crop)");
        var line = new PlateTally("crops, ReadLine (the crop as one line)");
        var darkDetected = new PlateTally("crops, ReadAll, dark (luma < 70)");
        foreach (var image in labels.Where(l => l.Kind == "crop"))
        {
            using var bgr = ImageDecoder.Read(Path.Combine(plates, image.File));
            string label = image.Plates[0].Text;
            var clock = Stopwatch.StartNew();
            var all = reader.ReadAll(bgr);
            double allMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var whole = reader.ReadLine(bgr);
            double lineMs = clock.Elapsed.TotalMilliseconds;
            var best = Best(all);
            detected.AddImage(allMs);
            detected.Add(image.File, label, best);
            line.AddImage(lineMs);
            line.Add(image.File, label, whole);
            if (Luma(bgr) < DarkLuma)
            {
                darkDetected.AddImage(allMs);
                darkDetected.Add(image.File, label, best);
            }
        }
        return [detected, line, darkDetected];
    }

    private static IEnumerable<PlateTally> Scenes(PlateReader reader, string plates, List<LabelledImage> labels, out List<string> unmatched)
    {
        var all = new PlateTally("scenes, ReadAll (whole photo)");
        var dark = new PlateTally("scenes, ReadAll, dark (luma < 70)");
        var vehicle = new PlateTally("scenes, ReadVehicle (box grown from the plate's)");
        unmatched = [];
        foreach (var image in labels.Where(l => l.Kind == "scene"))
        {
            using var bgr = ImageDecoder.Read(Path.Combine(plates, image.File));
            var clock = Stopwatch.StartNew();
            var readings = reader.ReadAll(bgr);
            double ms = clock.Elapsed.TotalMilliseconds;
            bool isDark = Luma(bgr) < DarkLuma;
            all.AddImage(ms);
            if (isDark) dark.AddImage(ms);
            var used = new HashSet<PlateReading>();
            foreach (var plate in image.Plates)
            {
                // A label without a box: the scene shows one plate, so any reading may be it.
                var near = plate.Box is null ? readings : readings.Where(r => Overlap(r.Box, plate.Box) >= 0.5).ToList();
                var best = Best(near);
                if (best is not null) used.UnionWith(near);
                all.Add(image.File, plate.Text, best);
                if (isDark) dark.Add(image.File, plate.Text, best);
                if (plate.Box is { } box)
                {
                    clock.Restart();
                    var read = reader.ReadVehicle(bgr, VehicleAround(box));
                    vehicle.AddImage(clock.Elapsed.TotalMilliseconds);
                    vehicle.Add(image.File, plate.Text, read);
                }
            }
            foreach (var r in readings.Where(r => r.Text is not null && !used.Contains(r)))
                unmatched.Add($"{image.File}: {r.Text} at {r.Box} (confidence {r.Confidence.ToString("0.000", Inv)})");
        }
        return [all, dark, vehicle];
    }

    private static void Footage(PlateReader reader, string folder, double stepSeconds)
    {
        if (!Directory.Exists(folder))
        {
            Console.WriteLine($"footage: {folder} is absent, skipped");
            return;
        }
        Console.WriteLine(string.Create(Inv, $"footage (foreign plates; every valid Chinese plate is an invention, target 0), one frame every {stepSeconds} s:"));
        int totalFrames = 0, totalFound = 0;
        double totalMs = 0;
        foreach (var file in Directory.GetFiles(folder, "*.mp4").Order(StringComparer.Ordinal))
        {
            using var capture = new VideoCapture(file);
            double fps = capture.Fps > 0 ? capture.Fps : 25;
            int step = Math.Max(1, (int)Math.Round(fps * stepSeconds));
            using var frame = new Mat();
            int index = 0, frames = 0, lines = 0, width = 0, height = 0;
            var found = new List<string>();
            double ms = 0;
            while (capture.Read(frame) && !frame.Empty())
            {
                if (index++ % step != 0) continue;
                frames++;
                (width, height) = (frame.Width, frame.Height);
                var clock = Stopwatch.StartNew();
                var readings = reader.ReadAll(frame);
                ms += clock.Elapsed.TotalMilliseconds;
                lines += readings.Count;
                found.AddRange(readings.Where(r => r.Text is not null).Select(r => $"{r.Text} (frame {index - 1})"));
            }
            totalFrames += frames;
            totalFound += found.Count;
            totalMs += ms;
            Console.WriteLine(string.Create(Inv,
                $"  {Path.GetFileName(file)}: {frames} frames {width}x{height}, {lines} plate-like text line(s), valid Chinese plates found: {found.Count}{(found.Count > 0 ? " — " + string.Join(", ", found) : "")}; {ms / Math.Max(1, frames):0} ms per frame"));
        }
        Console.WriteLine(string.Create(Inv, $"footage total: {totalFrames} frames, valid Chinese plates found: {totalFound}, {totalMs / Math.Max(1, totalFrames):0} ms per frame"));
    }

    /// <summary>The valid reading with the highest confidence, else the most confident refused one (for character accuracy), else null.</summary>
    private static PlateReading? Best(IReadOnlyList<PlateReading> readings) =>
        readings.Where(r => r.Text is not null).MaxBy(r => r.Confidence) ?? readings.MaxBy(r => r.Confidence);

    private static double Overlap(PlateBox a, PlateBox b)
    {
        int w = Math.Min(a.Right, b.Right) - Math.Max(a.X, b.X), h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Y, b.Y);
        if (w <= 0 || h <= 0) return 0;
        return (double)w * h / Math.Min((double)a.Width * a.Height, (double)b.Width * b.Height);
    }

    // A car is about four plate widths wide and three tall in these views, its plate about 70 % of the way down.
    private static PlateBox VehicleAround(PlateBox plate)
    {
        int width = plate.Width * 4, height = plate.Width * 3;
        int cx = plate.X + plate.Width / 2, cy = plate.Y + plate.Height / 2;
        return new PlateBox(cx - width / 2, cy - (int)(height * 0.7), width, height);
    }

    private static double Luma(Mat bgr)
    {
        using var gray = new Mat();
        Cv2.CvtColor(bgr, gray, ColorConversionCodes.BGR2GRAY);
        return Cv2.Mean(gray).Val0;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string FindProjectRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vision.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"cannot find Vision.sln above {AppContext.BaseDirectory}");
    }
}
