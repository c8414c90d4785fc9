using System.Globalization;
using System.Text;
using OpenCvSharp;

namespace Vision.Models.Plates;

/// <summary>
/// Reads mainland Chinese licence plates with PP-OCRv4 on ONNX Runtime: finds text lines, reads the plate-shaped ones and
/// keeps only text that is a valid plate read with every character certain. One call at a time (calls are serialised).
/// </summary>
public sealed class PlateReader : IDisposable
{
    private readonly Lock _gate = new();
    private readonly OcrModel _detectorModel;
    private readonly OcrModel _recogniserModel;
    private readonly OcrModel? _classifierModel;
    private readonly TextDetector _detector;
    private readonly TextLineRecogniser _recogniser;
    private bool _disposed;

    private PlateReader(OcrModel detector, OcrModel recogniser, OcrModel? classifier, CtcGreedyDecoder decoder, PlateReaderOptions options)
    {
        _detectorModel = detector;
        _recogniserModel = recogniser;
        _classifierModel = classifier;
        Options = options;
        _detector = new TextDetector(detector, options);
        _recogniser = new TextLineRecogniser(recogniser, classifier, decoder);
    }

    public PlateReaderOptions Options { get; }

    /// <summary>Loads the PP-OCRv4 models from <paramref name="modelDirectory"/> with the default options.</summary>
    /// <exception cref="ModelLoadException">A file is missing, does not load, or its tensors differ from the PP-OCR export (the message says how to get the files).</exception>
    public static PlateReader Load(string modelDirectory) => Load(modelDirectory, new PlateReaderOptions());

    /// <inheritdoc cref="Load(string)"/>
    public static PlateReader Load(string modelDirectory, PlateReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var files = PlateModelFiles.In(modelDirectory);
        var dictionary = File.ReadAllLines(files.Dictionary, Encoding.UTF8);
        if (dictionary.Length == 0)
            throw new ModelLoadException($"plate dictionary {DisplayPath.Of(files.Dictionary)} is empty: {PlateModelFiles.HowToGet}");
        var decoder = new CtcGreedyDecoder(dictionary);
        var opened = new List<OcrModel>();
        try
        {
            var detector = Open(opened, () => OcrModel.Open(files.Detector, options.IntraOpThreads, TextDetector.Input, TextDetector.Output, [-1, 1, -1, -1]));
            var recogniser = Open(opened, () => OcrModel.Open(
                files.Recogniser, options.IntraOpThreads, TextLineRecogniser.Input, TextLineRecogniser.Output, [-1, -1, decoder.ClassCount], TextLineRecogniser.LineHeight));
            var classifier = files.Classifier is not null && options.UseOrientationClassifier
                ? Open(opened, () => OcrModel.Open(
                    files.Classifier, options.IntraOpThreads, TextLineRecogniser.ClassifierInput, TextLineRecogniser.ClassifierOutput, [-1, 2], TextLineRecogniser.LineHeight))
                : null;
            return new PlateReader(detector, recogniser, classifier, decoder, options);
        }
        catch
        {
            foreach (var model in opened) model.Dispose();
            throw;
        }
    }

    /// <summary>Every plate-like text line in <paramref name="bgr"/> (CV_8UC3), in reading order; boxes in its pixels.</summary>
    public IReadOnlyList<PlateReading> ReadAll(Mat bgr)
    {
        CheckImage(bgr, nameof(bgr));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ReadLines(bgr, 0, 0);
        }
    }

    /// <summary>
    /// The plate of the vehicle in <paramref name="vehicleBox"/> of a full-resolution frame: text lines are looked for in the
    /// lower part of the box. The best valid plate, or a reading with null text and the reason.
    /// </summary>
    public PlateReading ReadVehicle(Mat bgrFullResolution, PlateBox vehicleBox)
    {
        CheckImage(bgrFullResolution, nameof(bgrFullResolution));
        ArgumentNullException.ThrowIfNull(vehicleBox);
        var region = SearchRegion(vehicleBox, bgrFullResolution.Cols, bgrFullResolution.Rows);
        if (region is null) return new PlateReading(null, 0, vehicleBox, "", "the vehicle box lies outside the image");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var roi = new Mat(bgrFullResolution, new Rect(region.X, region.Y, region.Width, region.Height));
            var readings = ReadLines(roi, region.X, region.Y);
            PlateReading? best = null;
            foreach (var r in readings)
            {
                if (r.Text is not null && (best?.Text is null || r.Confidence > best.Confidence)) best = r;
            }
            if (best is not null) return best;
            foreach (var r in readings)
            {
                if (best is null || r.Confidence > best.Confidence) best = r;
            }
            return best ?? new PlateReading(null, 0, region, "", "no text found in the lower part of the vehicle box");
        }
    }

    /// <summary>Reads the whole of <paramref name="bgr"/> as one text line: a plate already cut out (no detection).</summary>
    public PlateReading ReadLine(Mat bgr)
    {
        CheckImage(bgr, nameof(bgr));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Interpret(_recogniser.ReadWhole(bgr), new PlateBox(0, 0, bgr.Cols, bgr.Rows));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _detector.Dispose();
            _recogniser.Dispose();
            _detectorModel.Dispose();
            _recogniserModel.Dispose();
            _classifierModel?.Dispose();
        }
    }

    /// <summary>The part of the vehicle box a plate is looked for in: below <see cref="PlateReaderOptions.VehicleSearchTop"/>, a little wider and lower than the box.</summary>
    internal PlateBox? SearchRegion(PlateBox vehicle, int imageWidth, int imageHeight)
    {
        int marginX = (int)Math.Round(vehicle.Width * 0.05), marginY = (int)Math.Round(vehicle.Height * 0.05);
        int left = Math.Max(0, vehicle.X - marginX), right = Math.Min(imageWidth, vehicle.Right + marginX);
        int top = Math.Max(0, vehicle.Y + (int)Math.Round(vehicle.Height * Options.VehicleSearchTop)), bottom = Math.Min(imageHeight, vehicle.Bottom + marginY);
        return right - left < 8 || bottom - top < 8 ? null : new PlateBox(left, top, right - left, bottom - top);
    }

    private List<PlateReading> ReadLines(Mat image, int offsetX, int offsetY)
    {
        // A border lets the detector find characters that touch the edge (a plate cut out tightly: its province character).
        int pad = Math.Clamp(Math.Min(image.Cols, image.Rows) / 2, 4, 64);
        using var bgr = new Mat();
        Cv2.CopyMakeBorder(image, bgr, pad, pad, pad, pad, BorderTypes.Replicate);
        var frame = new PlateBox(offsetX, offsetY, image.Cols, image.Rows);
        var readings = new List<PlateReading>();
        foreach (var group in TextLineJoiner.Groups(_detector.Detect(bgr)))
        {
            // A line split at the plate's dot is read whole; when the whole is no plate, its parts are read on their own.
            var whole = ReadCandidate(bgr, TextLineJoiner.Merge(group), offsetX - pad, offsetY - pad, frame);
            if (group.Count == 1 || whole?.Text is not null)
            {
                if (whole is not null) readings.Add(whole);
                continue;
            }
            var parts = new List<PlateReading>();
            foreach (var part in group)
            {
                if (ReadCandidate(bgr, part, offsetX - pad, offsetY - pad, frame) is { } r) parts.Add(r);
            }
            if (whole is not null && !parts.Exists(p => p.Text is not null)) readings.Add(whole);
            else readings.AddRange(parts);
        }
        readings.Sort((a, b) => a.Box.Y != b.Box.Y ? a.Box.Y.CompareTo(b.Box.Y) : a.Box.X.CompareTo(b.Box.X));
        return readings;
    }

    /// <summary>The reading of one plate-shaped line (its box clipped to <paramref name="frame"/>), or null when the line is not plate-shaped or its text not plate-like.</summary>
    private PlateReading? ReadCandidate(Mat bgr, TextLine line, int offsetX, int offsetY, PlateBox frame)
    {
        if (line.Width < Options.MinLineAspect * line.Height) return null;
        var box = line.Bounds(bgr.Cols, bgr.Rows);
        int left = Math.Clamp(box.X + offsetX, frame.X, frame.Right - 1), top = Math.Clamp(box.Y + offsetY, frame.Y, frame.Bottom - 1);
        int right = Math.Clamp(box.Right + offsetX, left + 1, frame.Right), bottom = Math.Clamp(box.Bottom + offsetY, top + 1, frame.Bottom);
        var reading = Interpret(_recogniser.Read(bgr, line.Corners), new PlateBox(left, top, right - left, bottom - top));
        return IsPlateLike(reading) ? reading : null;
    }

    private PlateReading Interpret(RecognisedLine line, PlateBox box)
    {
        var text = new StringBuilder(line.Text.Length);
        var probabilities = new List<float>(line.Text.Length);
        for (int i = 0; i < line.Text.Length; i++)
        {
            if (PlateFormat.Kept(line.Text[i]) is not { } kept) continue;
            text.Append(kept);
            probabilities.Add(line.CharacterProbabilities[i]);
        }
        if (text.Length == 0) return new PlateReading(null, 0, box, line.Text, "no text found");
        string plate = text.ToString();
        int weakest = 0;
        for (int i = 1; i < probabilities.Count; i++)
        {
            if (probabilities[i] < probabilities[weakest]) weakest = i;
        }
        double confidence = Math.Round(probabilities.Average(), 4), weakestP = Math.Round(probabilities[weakest], 4);
        if (PlateFormat.Explain(plate) is { } why)
            return new PlateReading(null, confidence, box, line.Text, $"text is not a plate: '{line.Text}' ({why})") { WeakestCharacter = weakestP };
        if (weakestP < Options.MinCharacterConfidence)
        {
            string reason = string.Create(CultureInfo.InvariantCulture,
                $"low confidence: '{plate}' has '{plate[weakest]}' (character {weakest + 1}) at {weakestP:0.00}, a plate needs every character at {Options.MinCharacterConfidence:0.00} or more");
            return new PlateReading(null, confidence, box, line.Text, reason) { WeakestCharacter = weakestP };
        }
        return new PlateReading(plate, confidence, box, line.Text, null) { WeakestCharacter = weakestP };
    }

    // Signs, shop names and time stamps are text too: keep lines that could be a plate misread (a few letters and digits), drop the rest.
    private static bool IsPlateLike(PlateReading reading)
    {
        if (reading.Text is not null) return true;
        int alphanumeric = 0, length = 0;
        foreach (char c in reading.RawText)
        {
            if (PlateFormat.Kept(c) is not { } k) continue;
            length++;
            if (k is >= 'A' and <= 'Z' or >= '0' and <= '9') alphanumeric++;
        }
        return length is >= 5 and <= 10 && alphanumeric >= 4;
    }

    private static void CheckImage(Mat image, string name)
    {
        ArgumentNullException.ThrowIfNull(image, name);
        if (image.IsDisposed || image.Empty() || image.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"expected a non-empty CV_8UC3 (BGR) image, got {(image.IsDisposed ? "a disposed Mat" : $"{image.Type()} {image.Cols}x{image.Rows}")}", name);
    }

    private static OcrModel Open(List<OcrModel> opened, Func<OcrModel> open)
    {
        var model = open();
        opened.Add(model);
        return model;
    }
}
