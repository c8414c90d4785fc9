using OpenCvSharp;
using Vision.Models.Plates;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>One picture of a case's vehicle to read the plate from: the photo it is in, the picture, the vehicle's box in its pixels.</summary>
internal sealed record PlateFrame(string Photo, Mat Image, PixelBox Vehicle);

/// <summary>
/// Reads a parking case's plate once, from its few full-resolution pictures (never per analysed frame): each picture's
/// reading in the lower part of the vehicle's box, then a vote across them. A plate that is not legible is null with
/// the reason, never a guess.
/// </summary>
internal sealed class CasePlateReader(PlateReader reader) : IDisposable
{
    /// <summary>The reader for a config's <c>plates</c>; null when plates are not configured.</summary>
    /// <exception cref="Vision.Models.ModelLoadException">the models are missing or do not match (the message says how to get them)</exception>
    /// <remarks>One ONNX Runtime thread per model: cases are read on the evidence workers, beside a live node's detector,
    /// which must keep the cores (a case's few pictures take a second or two either way).</remarks>
    public static CasePlateReader? Open(Rules.Config.PlatesConfig? plates)
    {
        if (plates is null) return null;
        try
        {
            return new CasePlateReader(PlateReader.Load(plates.ModelDirectory, new PlateReaderOptions { IntraOpThreads = 1 }));
        }
        catch (Vision.Models.ModelLoadException e)
        {
            // The reader's own advice names the CLI's --models; here the folder comes from the config.
            string why = e.Message.Replace(" and pass --models DIR or set VISION_PLATE_MODELS", "", StringComparison.Ordinal);
            throw new Vision.Models.ModelLoadException($"plates.models in the config: {why}; then point plates.models at that folder (or remove plates: to run without plate reading)", e);
        }
    }

    public CasePlate Read(IReadOnlyList<PlateFrame> frames)
    {
        if (frames.Count == 0) return new CasePlate(null, 0, null, null, [], "no picture of the vehicle to read the plate from");
        var readings = new List<PlateReading>(frames.Count);
        var recorded = new List<CasePlateReading>(frames.Count);
        foreach (var frame in frames)
        {
            var v = frame.Vehicle;
            var reading = reader.ReadVehicle(frame.Image, new PlateBox(v.X, v.Y, v.Width, v.Height));
            readings.Add(reading);
            recorded.Add(new CasePlateReading(frame.Photo, reading.Text, reading.RawText, Math.Round(reading.Confidence, 3), Pixels(reading.Box), reading.Reason));
        }
        var verdict = PlateVote.Vote(readings);
        if (verdict.Text is null) return new CasePlate(null, 0, null, null, recorded, verdict.Reason ?? "not legible");
        int best = verdict.Best is { } b ? readings.IndexOf(b) : readings.FindIndex(r => r.Text == verdict.Text);
        return new CasePlate(verdict.Text, Math.Round(verdict.Confidence, 3), best >= 0 ? recorded[best].Box : null, best >= 0 ? frames[best].Photo : null, recorded, null);
    }

    /// <summary>Where the voted plate is in the picture of <paramref name="photo"/>, if that picture read it.</summary>
    public static PixelBox? BoxIn(CasePlate plate, string photo) =>
        plate.Text is null ? null : plate.Readings.FirstOrDefault(r => r.Photo == photo && r.Text == plate.Text)?.Box;

    private static PixelBox? Pixels(PlateBox box) => box.Width <= 0 || box.Height <= 0 ? null : new PixelBox(box.X, box.Y, box.Width, box.Height);

    public void Dispose() => reader.Dispose();
}

/// <summary>A confirmed violation that the plate check found to be a case already raised (or not to be told apart from one).</summary>
internal sealed class CaseNotRaisedException(string reason) : Exception(reason);
