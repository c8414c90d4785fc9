using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class ClassNameCheckTests
{
    internal static readonly string[] Coco =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
        "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
        "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed",
        "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
        "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    [Fact]
    public void Classes_the_model_knows_pass()
    {
        var config = Parse(Minimal + "        classes: [car, bus]\n        near_classes: [person]\n");
        ClassNameCheck.Validate(config, Coco);
    }

    [Fact]
    public void New_objects_are_a_class_of_every_model_and_mark_the_camera_that_watches_for_them()
    {
        var config = Parse(Minimal.Replace("type: illegal_parking", "type: litter", StringComparison.Ordinal) + "        classes: [new_object]\n        near_classes: [person]\n");
        ClassNameCheck.Validate(config, ["person"]);
        Assert.True(NewObjectClass.IsUsedBy(config.Cameras[0]));
        Assert.False(NewObjectClass.IsUsedBy(Parse(Minimal).Cameras[0]));
        Assert.Equal(["person", "car", "new_object"], NewObjectClass.AppendTo(["person", "car"]));
        var names = NewObjectClass.AppendTo(["person"]);
        Assert.Same(names, NewObjectClass.AppendTo(names));
        Assert.Equal("新增物体", Glossary.ObjectClassName(NewObjectClass.Name));
    }

    [Fact]
    public void Misspelt_class_is_reported_at_its_line_with_a_suggestion()
    {
        var config = Parse(Minimal + "        classes: [cars, bus]\n");

        var e = Assert.Throws<ConfigException>(() => ClassNameCheck.Validate(config, Coco));

        var error = Assert.Single(e.Errors);
        Assert.Equal(new ConfigLocation(FileName, 12, 19), error.Location);
        Assert.Equal("cameras[0].rules[0].classes[0]", error.KeyPath);
        Assert.Equal("unknown class 'cars' (did you mean 'car'? the model knows 80 classes, see its classes file)", error.Message);
    }

    [Fact]
    public void Unknown_near_class_is_reported()
    {
        var config = Parse(Minimal.Replace("type: illegal_parking", "type: street_stall", StringComparison.Ordinal) + "        near_classes:\n          - umbrella\n          - cart\n");

        var e = Assert.Throws<ConfigException>(() => ClassNameCheck.Validate(config, Coco));

        var error = Assert.Single(e.Errors);
        Assert.Equal(14, error.Location.Line);
        Assert.Equal("cameras[0].rules[0].near_classes[1]", error.KeyPath);
        Assert.Contains("unknown class 'cart' (did you mean 'car'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_classes_unknown_to_a_small_model_are_reported_at_the_rule_with_what_to_set()
    {
        var config = Parse(Minimal.Replace("type: illegal_parking", "type: litter", StringComparison.Ordinal));

        var e = Assert.Throws<ConfigException>(() => ClassNameCheck.Validate(config, ["person", "car", "bag"]));

        Assert.Equal(5, e.Errors.Count);
        Assert.All(e.Errors, error => Assert.Equal(9, error.Location.Line));
        Assert.Equal("cameras[0].rules[0].classes", e.Errors[0].KeyPath);
        Assert.Equal("unknown class 'bottle' in the default classes for litter (the model knows 3 classes: person, car, bag); set 'classes' on this rule to classes the model knows",
            e.Errors[0].Message);
    }

    [Fact]
    public void Every_unknown_class_across_cameras_is_reported_at_once()
    {
        var yaml = Minimal + "        classes: [lorry]\n" + """
              - id: cam-02
                zones:
                  - id: pavement
                    polygon: [[0, 0], [1, 0], [1, 1]]
                rules:
                  - id: stall
                    type: street_stall
                    zones: [pavement]
                    classes: [persn]

            """;
        var e = Assert.Throws<ConfigException>(() => ClassNameCheck.Validate(Parse(yaml), Coco));

        Assert.Equal(["cameras[0].rules[0].classes[0]", "cameras[1].rules[0].classes[0]"], e.Errors.Select(x => x.KeyPath).ToArray());
        Assert.Equal("unknown class 'lorry' (the model knows 80 classes, see its classes file)", e.Errors[0].Message);
        Assert.Contains("did you mean 'person'?", e.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal(21, e.Errors[1].Location.Line);
    }
}
