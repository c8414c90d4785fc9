using System.Security.Cryptography;
using Vision.Models.Tests.Support;

namespace Vision.Models.Tests.Manifest;

public sealed class DetectorManifestTests : IDisposable
{
    private const string Valid = """
        name: tiny
        file: tiny.onnx
        input:
          name: images
          width: 32
          height: 32
          channel_order: rgb
          scale: 0.00392156862745098
          mean: [0.485, 0.456, 0.406]
          std: [0.229, 0.224, 0.225]
          letterbox: center
          pad_value: 0
        output:
          name: output
          layout: yolov5
        classes: [person, car]
        """;

    private readonly TempFolder _temp = new();

    public DetectorManifestTests() => _temp.Write("tiny.onnx", [1, 2, 3]);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Valid_manifest_loads_every_key_and_finds_the_model_beside_it()
    {
        var path = _temp.Write("tiny.yaml", Valid);

        var manifest = DetectorManifest.Load(path, []);

        Assert.Equal("tiny", manifest.Name);
        Assert.Equal(Path.Combine(_temp.Path, "tiny.onnx"), manifest.ModelPath);
        Assert.Equal(path, manifest.ManifestPath);
        Assert.Null(manifest.Sha256);
        Assert.Equal(new ModelInputSpec("images", 32, 32, ChannelOrder.Rgb, 1f / 255f, manifest.Input.Mean, manifest.Input.Std, LetterboxAlignment.Center, 0), manifest.Input);
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, manifest.Input.Mean);
        Assert.Equal(new[] { 0.229f, 0.224f, 0.225f }, manifest.Input.Std);
        Assert.Equal(OutputLayout.Yolov5, manifest.Output.Layout);
        Assert.Empty(manifest.Output.Strides);
        Assert.Equal(new[] { "person", "car" }, manifest.ClassNames);
    }

    [Fact]
    public void Unknown_layout_names_the_file_the_key_and_the_known_layouts()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("layout: yolov5", "layout: yolo9"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal($"{path}: output.layout 'yolo9' is not known; use yolox, yolov5 or yolov8", error.Message);
    }

    [Fact]
    public void Missing_key_names_its_path_and_gives_an_example()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("  width: 32\n", ""));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal($"{path}: input.width is missing; add it (e.g. 'width: 416'; see models/yolox_nano.yaml)", error.Message);
    }

    [Fact]
    public void Misspelt_key_is_refused_with_the_known_keys()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("channel_order:", "chanel_order:"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.StartsWith($"{path}: input.chanel_order is not a known key; use name, width, height, channel_order,", error.Message);
    }

    [Fact]
    public void Width_that_is_not_a_number_is_refused()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("width: 32", "width: wide"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal($"{path}: input.width 'wide' is not a whole number; write e.g. 'width: 416'", error.Message);
    }

    [Fact]
    public void Yolox_layout_needs_strides_that_divide_the_input_size()
    {
        var withoutStrides = _temp.Write("a.yaml", Valid.Replace("layout: yolov5", "layout: yolox"));
        var badStrides = _temp.Write("b.yaml", Valid.Replace("layout: yolov5", "layout: yolox\n  strides: [8, 12]"));

        var missing = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(withoutStrides, []));
        var wrong = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(badStrides, []));

        Assert.StartsWith($"{withoutStrides}: output.strides is missing; add it", missing.Message);
        Assert.Equal($"{badStrides}: output.strides has 12, which does not divide the input size 32x32; check input.width/height and strides", wrong.Message);
    }

    [Fact]
    public void Strides_on_a_layout_that_does_not_use_them_are_refused()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("layout: yolov5", "layout: yolov8\n  strides: [8]"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal($"{path}: output.strides is only used by layout yolox; remove it for yolov8", error.Message);
    }

    [Fact]
    public void Classes_file_that_is_not_found_is_named_with_the_folders_searched()
    {
        var search = _temp.Sub("search");
        var path = _temp.Write("tiny.yaml", Valid.Replace("classes: [person, car]", "classes: missing.names"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, [search]));

        Assert.Equal(
            $"{path}: classes file 'missing.names' was not found (looked in: {_temp.Path}, {search}); " +
            "put it beside the manifest or the model, or list the names inline (classes: [person, car])",
            error.Message);
    }

    [Fact]
    public void Classes_file_with_a_blank_line_between_names_is_refused()
    {
        var names = _temp.Write("tiny.names", "person\n\ncar\n");
        var path = _temp.Write("tiny.yaml", Valid.Replace("classes: [person, car]", "classes: tiny.names"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal(
            $"{path}: classes file {names} line 2 is empty; write one class name per line (index = class id) with no blank lines between names",
            error.Message);
    }

    [Fact]
    public void Empty_classes_file_is_refused()
    {
        var names = _temp.Write("tiny.names", "\n\n");
        var path = _temp.Write("tiny.yaml", Valid.Replace("classes: [person, car]", "classes: tiny.names"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal($"{path}: classes file {names} has no names; write one class name per line (index = class id)", error.Message);
    }

    [Fact]
    public void Model_and_classes_file_are_found_in_a_search_folder_when_not_beside_the_manifest()
    {
        var manifestDir = _temp.Sub("manifests");
        var modelDir = _temp.Sub("weights");
        File.Move(Path.Combine(_temp.Path, "tiny.onnx"), Path.Combine(modelDir, "tiny.onnx"));
        File.WriteAllText(Path.Combine(modelDir, "tiny.names"), "person\ncar\nbus\n\n");
        var path = Path.Combine(manifestDir, "tiny.yaml");
        File.WriteAllText(path, Valid.Replace("classes: [person, car]", "classes: tiny.names"));

        var manifest = DetectorManifest.Load(path, [_temp.Sub("empty"), modelDir]);

        Assert.Equal(Path.Combine(modelDir, "tiny.onnx"), manifest.ModelPath);
        Assert.Equal(new[] { "person", "car", "bus" }, manifest.ClassNames);
    }

    [Fact]
    public void Model_file_that_is_not_found_says_to_set_VISION_MODELS()
    {
        var search = _temp.Sub("search");
        var path = _temp.Write("yolox.yaml", Valid.Replace("file: tiny.onnx", "file: yolox_nano.onnx"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, [search]));

        Assert.Equal(
            $"{path}: file 'yolox_nano.onnx' was not found (looked in: {_temp.Path}, {search}); " +
            "set VISION_MODELS to the folder holding yolox_nano.onnx (get YOLOX-Nano from the YOLOX release page; see README)",
            error.Message);
    }

    [Fact]
    public void Sha256_mismatch_names_the_expected_and_actual_hashes()
    {
        var expected = new string('a', 64);
        var actual = Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3 }));
        var path = _temp.Write("tiny.yaml", Valid.Replace("file: tiny.onnx", $"file: tiny.onnx\nsha256: {expected}"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.Equal(
            $"{path}: sha256 {expected} does not match {Path.Combine(_temp.Path, "tiny.onnx")} (its sha256 is {actual}); " +
            "the file is damaged or a different model: fetch it again, or update sha256 if you replaced the model on purpose",
            error.Message);
    }

    [Fact]
    public void Sha256_that_matches_is_accepted_in_any_case()
    {
        var actual = Convert.ToHexString(SHA256.HashData(new byte[] { 1, 2, 3 }));
        var path = _temp.Write("tiny.yaml", Valid.Replace("file: tiny.onnx", $"file: tiny.onnx\nsha256: {actual}"));

        Assert.Equal(actual.ToLowerInvariant(), DetectorManifest.Load(path, []).Sha256);
    }

    [Fact]
    public void Sha256_that_is_not_64_hex_digits_is_refused()
    {
        var path = _temp.Write("tiny.yaml", Valid.Replace("file: tiny.onnx", "file: tiny.onnx\nsha256: e8af0749"));

        var error = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(path, []));

        Assert.StartsWith($"{path}: sha256 'e8af0749' is not a SHA-256 (64 hex digits)", error.Message);
    }

    [Fact]
    public void Invalid_yaml_and_missing_manifest_are_reported_with_the_file()
    {
        var broken = _temp.Write("broken.yaml", "name: [unclosed\nfile: x\n");
        var missing = Path.Combine(_temp.Path, "nothing.yaml");

        var syntax = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(broken, []));
        var absent = Assert.Throws<ModelLoadException>(() => DetectorManifest.Load(missing, []));

        Assert.StartsWith($"{broken}:", syntax.Message);
        Assert.Contains("not valid YAML", syntax.Message);
        Assert.Equal($"{missing}: the manifest file does not exist; check detector.manifest, or write one (see models/yolox_nano.yaml)", absent.Message);
    }

    [Fact]
    public void Repo_manifest_describes_yolox_nano()
    {
        var parsed = ManifestParser.ParseFile(Path.Combine(SharedData.ProjectRoot, "models", "yolox_nano.yaml"));

        Assert.Equal("yolox_nano", parsed.Name);
        Assert.Equal("yolox_nano.onnx", parsed.File);
        Assert.Equal("e8af074932d4ed7e232278e3055cefcdea3edf178874a3694ae292649fb464dd", parsed.Sha256);
        Assert.Equal(("images", 416, 416, ChannelOrder.Bgr, 1f), (parsed.Input.Name, parsed.Input.Width, parsed.Input.Height, parsed.Input.ChannelOrder, parsed.Input.Scale));
        Assert.Equal((LetterboxAlignment.TopLeft, (byte)114), (parsed.Input.Letterbox, parsed.Input.PadValue));
        Assert.Equal(new[] { 0f, 0f, 0f }, parsed.Input.Mean);
        Assert.Equal(new[] { 1f, 1f, 1f }, parsed.Input.Std);
        Assert.Equal(("output", OutputLayout.Yolox), (parsed.Output.Name, parsed.Output.Layout));
        Assert.Equal(new[] { 8, 16, 32 }, parsed.Output.Strides);
        Assert.Equal("coco.names", parsed.ClassesFile);
    }

    [SharedDataFact]
    public void Repo_manifest_loads_with_the_shared_model_and_its_checksum_matches()
    {
        var manifest = DetectorManifest.Load(Path.Combine(SharedData.ProjectRoot, "models", "yolox_nano.yaml"), [SharedData.ModelsDir]);

        Assert.Equal(Path.Combine(SharedData.ModelsDir, "yolox_nano.onnx"), manifest.ModelPath);
        Assert.Equal(80, manifest.ClassCount);
        Assert.Equal("person", manifest.ClassNames[0]);
        Assert.Equal("bottle", manifest.ClassNames[39]);
    }
}
