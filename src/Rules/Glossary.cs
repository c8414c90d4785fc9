using System.Collections.Frozen;
using Vision.Rules.Config;

namespace Vision.Rules;

/// <summary>
/// The Chinese words Vision uses for what it detects, in one place: violation types (photo captions, dispatch
/// descriptions, the console), COCO object classes, and zones by their configured name. Wire codes never change;
/// only these human-readable names come from here.
/// </summary>
public static class Glossary
{
    /// <summary>Violation wire code → Chinese name.</summary>
    public static FrozenDictionary<string, string> Violations { get; } = new Dictionary<string, string>
    {
        [ViolationTypeNames.IllegalParking] = "机动车违停",
        [ViolationTypeNames.StreetStall] = "占道经营",
        [ViolationTypeNames.Litter] = "暴露垃圾",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The 80 COCO class names the detectors report, and new-object detection's class → Chinese name.</summary>
    public static FrozenDictionary<string, string> ObjectClasses { get; } = new Dictionary<string, string>
    {
        ["person"] = "行人", ["bicycle"] = "自行车", ["car"] = "小汽车", ["motorcycle"] = "摩托车", ["airplane"] = "飞机",
        ["bus"] = "公交车", ["train"] = "火车", ["truck"] = "货车", ["boat"] = "船", ["traffic light"] = "红绿灯",
        ["fire hydrant"] = "消防栓", ["stop sign"] = "停车标志", ["parking meter"] = "停车计时器", ["bench"] = "长椅", ["bird"] = "鸟",
        ["cat"] = "猫", ["dog"] = "狗", ["horse"] = "马", ["sheep"] = "羊", ["cow"] = "牛",
        ["elephant"] = "大象", ["bear"] = "熊", ["zebra"] = "斑马", ["giraffe"] = "长颈鹿", ["backpack"] = "背包",
        ["umbrella"] = "伞", ["handbag"] = "手提包", ["tie"] = "领带", ["suitcase"] = "行李箱", ["frisbee"] = "飞盘",
        ["skis"] = "滑雪板", ["snowboard"] = "单板滑雪板", ["sports ball"] = "球", ["kite"] = "风筝", ["baseball bat"] = "棒球棒",
        ["baseball glove"] = "棒球手套", ["skateboard"] = "滑板", ["surfboard"] = "冲浪板", ["tennis racket"] = "网球拍", ["bottle"] = "瓶子",
        ["wine glass"] = "酒杯", ["cup"] = "杯子", ["fork"] = "叉子", ["knife"] = "刀", ["spoon"] = "勺子",
        ["bowl"] = "碗", ["banana"] = "香蕉", ["apple"] = "苹果", ["sandwich"] = "三明治", ["orange"] = "橙子",
        ["broccoli"] = "西兰花", ["carrot"] = "胡萝卜", ["hot dog"] = "热狗", ["pizza"] = "披萨", ["donut"] = "甜甜圈",
        ["cake"] = "蛋糕", ["chair"] = "椅子", ["couch"] = "沙发", ["potted plant"] = "盆栽", ["bed"] = "床",
        ["dining table"] = "桌子", ["toilet"] = "马桶", ["tv"] = "电视", ["laptop"] = "笔记本电脑", ["mouse"] = "鼠标",
        ["remote"] = "遥控器", ["keyboard"] = "键盘", ["cell phone"] = "手机", ["microwave"] = "微波炉", ["oven"] = "烤箱",
        ["toaster"] = "烤面包机", ["sink"] = "水槽", ["refrigerator"] = "冰箱", ["book"] = "书", ["clock"] = "钟",
        ["vase"] = "花瓶", ["scissors"] = "剪刀", ["teddy bear"] = "玩具熊", ["hair drier"] = "吹风机", ["toothbrush"] = "牙刷",
        [Config.NewObjectClass.Name] = "新增物体",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string ViolationName(ViolationType type) => Violations[type.ToWire()];

    /// <summary>The Chinese name of a violation code; the code itself when it is not one Vision knows.</summary>
    public static string ViolationName(string code) => Violations.GetValueOrDefault(code, code);

    /// <summary>The Chinese name of a detector class; the class itself when it has none (a custom model's class).</summary>
    public static string ObjectClassName(string objectClass) => ObjectClasses.GetValueOrDefault(objectClass, objectClass);

    /// <summary>A zone's configured name on the camera (the id when it has none, or the camera or zone is gone from the config).</summary>
    public static string ZoneName(CameraConfig? camera, string zoneId) => camera?.FindZone(zoneId)?.Name ?? zoneId;
}
