using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vision.Models;

/// <summary>Reads manifest YAML into a <see cref="ParsedManifest"/>, refusing unknown keys and bad values with the key path.</summary>
internal static class ManifestParser
{
    private static readonly string[] RootKeys = ["name", "file", "sha256", "input", "output", "classes"];
    private static readonly string[] InputKeys = ["name", "width", "height", "channel_order", "scale", "mean", "std", "letterbox", "pad_value"];
    private static readonly string[] OutputKeys = ["name", "layout", "strides"];

    private static readonly (string, ChannelOrder)[] ChannelOrders = [("bgr", ChannelOrder.Bgr), ("rgb", ChannelOrder.Rgb)];
    private static readonly (string, LetterboxAlignment)[] Alignments = [("top_left", LetterboxAlignment.TopLeft), ("center", LetterboxAlignment.Center)];
    private static readonly (string, OutputLayout)[] Layouts = [("yolox", OutputLayout.Yolox), ("yolov5", OutputLayout.Yolov5), ("yolov8", OutputLayout.Yolov8)];

    public static ParsedManifest ParseFile(string manifestPath)
    {
        var shown = DisplayPath.Of(manifestPath);
        string text;
        try
        {
            text = File.ReadAllText(manifestPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelLoadException($"{shown}: the manifest file does not exist; check detector.manifest, or write one (see models/yolox_nano.yaml)", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"{shown}: cannot read the manifest ({ex.Message}); check its permissions", ex);
        }
        return Parse(text, shown, Path.GetFileNameWithoutExtension(manifestPath));
    }

    public static ParsedManifest Parse(string yaml, string shownFile, string defaultName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ModelLoadException($"{shownFile}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML ({ex.Message}); fix the syntax (see models/yolox_nano.yaml)", ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections.
            throw new ModelLoadException($"{shownFile}: not valid YAML (an unclosed '[' or '{{'?); fix the syntax (see models/yolox_nano.yaml)", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode rootNode)
            throw new ModelLoadException($"{shownFile}: the manifest is empty or not a mapping of keys; see models/yolox_nano.yaml for the format");

        var root = new YamlSection(shownFile, "", rootNode, RootKeys);
        var name = root.OptionalString("name") ?? defaultName;
        var file = root.RequiredString("file");
        var sha256 = ParseSha256(root);
        var input = ParseInput(root.RequiredSection("input", InputKeys));
        var output = ParseOutput(root.RequiredSection("output", OutputKeys), input);
        var (inline, classesFile) = ParseClasses(root);
        return new ParsedManifest(name, file, sha256, input, output, inline, classesFile);
    }

    private static string? ParseSha256(YamlSection root)
    {
        var sha = root.OptionalString("sha256");
        if (sha is null) return null;
        if (sha.Length != 64 || !sha.All(Uri.IsHexDigit))
            throw root.Error("sha256", $"'{sha}' is not a SHA-256 (64 hex digits); write the output of 'sha256sum' for the model file, or remove the key");
        return sha.ToLowerInvariant();
    }

    private static ModelInputSpec ParseInput(YamlSection input)
    {
        var name = input.RequiredString("name");
        var width = input.RequiredInt("width", 1, 16384);
        var height = input.RequiredInt("height", 1, 16384);
        var order = input.RequiredEnum("channel_order", ChannelOrders);
        var scale = input.RequiredPositiveFloat("scale");
        var mean = input.OptionalFloatTriple("mean", nonZero: false) ?? [0f, 0f, 0f];
        var std = input.OptionalFloatTriple("std", nonZero: true) ?? [1f, 1f, 1f];
        var letterbox = input.RequiredEnum("letterbox", Alignments);
        var pad = (byte)input.RequiredInt("pad_value", 0, 255);
        return new ModelInputSpec(name, width, height, order, scale, mean, std, letterbox, pad);
    }

    private static ModelOutputSpec ParseOutput(YamlSection output, ModelInputSpec input)
    {
        var name = output.RequiredString("name");
        var layout = output.RequiredEnum("layout", Layouts);
        var strides = output.OptionalPositiveIntList("strides");
        if (layout != OutputLayout.Yolox)
        {
            if (strides is not null) throw output.Error("strides", $"is only used by layout yolox; remove it for {Wire(layout)}");
            return new ModelOutputSpec(name, layout, []);
        }
        if (strides is null) throw output.Error("strides", "is missing; add it (e.g. 'strides: [8, 16, 32]'; see models/yolox_nano.yaml)");
        foreach (var stride in strides)
        {
            if (input.Width % stride != 0 || input.Height % stride != 0)
                throw output.Error("strides", $"has {stride}, which does not divide the input size {input.Width}x{input.Height}; check input.width/height and strides");
        }
        return new ModelOutputSpec(name, layout, strides);
    }

    private static (IReadOnlyList<string>? Inline, string? File) ParseClasses(YamlSection root)
    {
        var node = root.Require("classes");
        if (node is YamlScalarNode scalar) return (null, scalar.Value!.Trim());
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            throw root.Error("classes", "must be a names file (e.g. 'classes: coco.names') or a non-empty list of names");
        var names = new string[sequence.Children.Count];
        for (int i = 0; i < names.Length; i++)
        {
            var value = (sequence.Children[i] as YamlScalarNode)?.Value?.Trim();
            if (string.IsNullOrEmpty(value)) throw root.Error("classes", $"entry {i} is empty; every entry is one class name (index = class id)");
            names[i] = value;
        }
        return (names, null);
    }

    public static string Wire(OutputLayout layout) => layout switch
    {
        OutputLayout.Yolox => "yolox",
        OutputLayout.Yolov5 => "yolov5",
        OutputLayout.Yolov8 => "yolov8",
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };
}
