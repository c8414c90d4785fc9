using System.Text;
using System.Text.Json;
using Vision.Pipeline.Evidence;
using Vision.ReviewConsole;
using Vision.Rules;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Console;

/// <summary>One Chinese name per violation type and object class, from <see cref="Glossary"/>, everywhere Vision writes one.</summary>
public sealed class GlossaryTests
{
    // The names the console used to show beside the glossary's 暴露垃圾 and 机动车违停.
    private static readonly string[] RetiredNames = ["乱扔垃圾", "违章停车"];

    [Fact]
    public void No_source_file_or_readme_uses_a_retired_violation_name()
    {
        string root = SharedData.ProjectRoot;
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Path.Combine(root, "README.md"))
            .ToList();
        Assert.Contains(files, f => f.EndsWith("i18n.js", StringComparison.Ordinal));
        var found = files.SelectMany(f => RetiredNames.Where(name => File.ReadAllText(f).Contains(name, StringComparison.Ordinal))
            .Select(name => $"{Path.GetRelativePath(root, f)}: {name}")).ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void Every_violation_type_the_eighty_coco_classes_and_new_objects_have_one_chinese_name()
    {
        Assert.Equal(("机动车违停", "占道经营", "暴露垃圾"),
            (ViolationType.IllegalParking.ChineseName(), ViolationType.StreetStall.ChineseName(), ViolationType.Litter.ChineseName()));
        foreach (var type in Enum.GetValues<ViolationType>()) Assert.Equal(Glossary.Violations[type.ToWire()], type.ChineseName());
        Assert.Equal(81, Glossary.ObjectClasses.Count);
        Assert.Equal(81, Glossary.ObjectClasses.Values.Distinct().Count());
        Assert.Equal("新增物体", Glossary.ObjectClassName(NewObjectClass.Name));
        Assert.Equal(("行人", "小汽车", "桌子", "伞"), (Glossary.ObjectClassName("person"), Glossary.ObjectClassName("car"), Glossary.ObjectClassName("dining table"), Glossary.ObjectClassName("umbrella")));
        Assert.Equal("forklift", Glossary.ObjectClassName("forklift")); // a custom model's class keeps its own name
    }

    [Fact]
    public void The_console_module_carries_the_glossary_and_zones_read_by_their_configured_name()
    {
        string module = Encoding.UTF8.GetString(ConsoleGlossary.Module);
        Assert.StartsWith("// ", module);
        int start = module.IndexOf('(', StringComparison.Ordinal) + 1, end = module.LastIndexOf(')');
        using var json = JsonDocument.Parse(module[start..end]);
        Assert.Equal("暴露垃圾", json.RootElement.GetProperty("violations").GetProperty("litter").GetString());
        Assert.Equal("小汽车", json.RootElement.GetProperty("objectClasses").GetProperty("car").GetString());

        var camera = Camera;
        Assert.Equal("桌边区域", Glossary.ZoneName(camera, "around-table"));
        Assert.Equal("gone", Glossary.ZoneName(camera, "gone"));
        Assert.Equal("around-table", Glossary.ZoneName(null, "around-table"));
    }

    [Fact]
    public void Photo_captions_name_the_object_class_in_chinese()
    {
        var at = DateTimeOffset.Parse("2026-03-01T08:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture);
        var violation = new ViolationCase(Camera, Camera.Rules[0], Camera.Zones[0], 1, 7, "car", at, at.AddMinutes(5), [], 320, 180, 320, 180);
        var caption = PhotoCaption.For(violation, "3/3 确认", at.AddMinutes(5), 0.87f, TimeZoneInfo.Utc, "ABCDEF", PhotoSource.Recording);
        Assert.Contains("小汽车 0.87 #7", caption.Fields);
        Assert.Contains(caption.Fields, f => f.StartsWith("机动车违停 ", StringComparison.Ordinal));
    }

    private static readonly CameraConfig Camera = VisionConfigLoader.Parse("""
        detector: { model: yolox_nano }
        cameras:
          - id: cam-01
            name: 人民路口
            source: rtsp://127.0.0.1:8554/cam-01
            zones: [ { id: around-table, name: 桌边区域, polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]] } ]
            rules: [ { id: parking, type: illegal_parking, zones: [around-table], classes: [car], dwell: 5s } ]
        """, "test.yaml").Cameras[0];
}
