using Vision.Models.Tests.Support;

namespace Vision.Models.Tests.Manifest;

public sealed class ModelLocatorTests : IDisposable
{
    private const string Manifest = """
        file: {0}
        input: {{ name: images, width: 32, height: 32, channel_order: bgr, scale: 1, letterbox: top_left, pad_value: 114 }}
        output: {{ name: output, layout: yolov5 }}
        classes: [thing]
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bare_name_finds_the_manifest_in_one_folder_and_its_model_in_another()
    {
        var weights = _temp.Sub("weights");
        var repoModels = _temp.Sub("repo-models");
        var onnx = _temp.Write("weights/tiny.onnx", [0]);
        var yaml = _temp.Write("repo-models/tiny.yaml", string.Format(Manifest, "tiny.onnx"));

        var location = ModelLocator.Resolve("tiny", null, [weights, repoModels]);

        Assert.Equal(new ModelLocation(onnx, yaml), location);
    }

    [Fact]
    public void Model_file_beside_the_manifest_wins_over_search_folders()
    {
        var first = _temp.Sub("first");
        var second = _temp.Sub("second");
        _temp.Write("second/tiny.yaml", string.Format(Manifest, "tiny.onnx"));
        var nearOnnx = _temp.Write("second/tiny.onnx", [0]);
        _temp.Write("first/tiny.onnx", [1]);

        Assert.Equal(nearOnnx, ModelLocator.Resolve("tiny", null, [first, second]).OnnxPath);
    }

    [Fact]
    public void Onnx_path_finds_the_manifest_beside_it()
    {
        var onnx = _temp.Write("custom/garbage.onnx", [0]);
        var yaml = _temp.Write("custom/garbage.yaml", string.Format(Manifest, "ignored.onnx"));

        var location = ModelLocator.Resolve(onnx, null, []);

        Assert.Equal(new ModelLocation(onnx, yaml), location);
    }

    [Fact]
    public void Explicit_manifest_is_used_for_an_onnx_path_and_the_path_overrides_its_file()
    {
        var onnx = _temp.Write("custom/stalls.onnx", [0]);
        var yaml = _temp.Write("manifests/yolov5.yaml", string.Format(Manifest, "other.onnx"));

        var manifest = ModelLocator.LoadManifest(onnx, yaml, []);

        Assert.Equal(onnx, manifest.ModelPath);
        Assert.Equal(yaml, manifest.ManifestPath);
    }

    [Fact]
    public void Missing_model_lists_the_folders_searched_and_says_to_set_VISION_MODELS()
    {
        var repoModels = _temp.Sub("repo-models");
        var empty = _temp.Sub("empty");
        var yaml = _temp.Write("repo-models/yolox_nano.yaml", string.Format(Manifest, "yolox_nano.onnx"));

        var error = Assert.Throws<ModelLoadException>(() => ModelLocator.Resolve("yolox_nano", null, [empty, repoModels]));

        Assert.Equal(
            $"{yaml}: file 'yolox_nano.onnx' was not found (looked in: {repoModels}, {empty}); " +
            "set VISION_MODELS to the folder holding yolox_nano.onnx (get YOLOX-Nano from the YOLOX release page; see README)",
            error.Message);
    }

    [Fact]
    public void Missing_manifest_for_a_bare_name_lists_the_folders_searched()
    {
        var empty = _temp.Sub("empty");

        var error = Assert.Throws<ModelLoadException>(() => ModelLocator.Resolve("yolox_nano", null, [empty]));

        Assert.Equal(
            $"model 'yolox_nano': no manifest yolox_nano.yaml in the models folders (looked in: {empty}); " +
            "put yolox_nano.yaml in one of them (see models/yolox_nano.yaml) and " +
            "set VISION_MODELS to the folder holding yolox_nano.onnx (get YOLOX-Nano from the YOLOX release page; see README)",
            error.Message);
    }

    [Fact]
    public void Missing_onnx_path_says_where_it_looked()
    {
        var missing = Path.Combine(_temp.Path, "nowhere", "custom.onnx");

        var error = Assert.Throws<ModelLoadException>(() => ModelLocator.Resolve(missing, null, []));

        Assert.Equal(
            $"model '{missing}' was not found (looked in: {Path.Combine(_temp.Path, "nowhere")}); set VISION_MODELS to the folder holding custom.onnx (see README)",
            error.Message);
    }

    [Fact]
    public void Onnx_without_a_manifest_asks_for_one()
    {
        var onnx = _temp.Write("custom/garbage.onnx", [0]);

        var error = Assert.Throws<ModelLoadException>(() => ModelLocator.Resolve(onnx, null, []));

        Assert.StartsWith($"model {onnx} has no manifest: garbage.yaml was not found", error.Message);
        Assert.EndsWith("write garbage.yaml beside the model (see models/yolox_nano.yaml) or set detector.manifest", error.Message);
    }

    [Fact]
    public void Default_search_folders_are_VISION_MODELS_entries_then_cwd_models_then_app_models()
    {
        var previous = Environment.GetEnvironmentVariable(ModelLocator.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, $"{_temp.Path}/a::{_temp.Path}/b");

            var dirs = ModelLocator.DefaultSearchDirectories();

            var expected = new List<string> { Path.Combine(_temp.Path, "a"), Path.Combine(_temp.Path, "b"), Path.GetFullPath("models") };
            var besideApp = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "models"));
            if (!expected.Contains(besideApp)) expected.Add(besideApp);
            Assert.Equal(expected, dirs);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, previous);
        }
    }
}
