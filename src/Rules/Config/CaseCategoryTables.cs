using System.Collections.Frozen;

namespace Vision.Rules.Config;

/// <summary>
/// The case categories Vision knows for each event code set, and the default category of each violation type.
/// Only the categories Vision's violations fall into are listed; a city adds or renames codes with
/// <c>dispatch.category_names</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>cjt214</b>: the 数字化城市管理 event classes of CJ/T 214 (管理部件和事件分类、编码及数据要求), carried over into
/// GB/T 30428.2 (数字化城市管理信息系统 第2部分：管理部件和事件). A small class code is 4 digits: the 2-digit big class
/// (01 市容环境, 05 街面秩序) followed by a 2-digit number.
/// </para>
/// <para>
/// <b>gbt47678</b>: GB/T 47678.5-2026, reported to replace GB/T 30428.2 from 2026-07-01. Small classes are 5 digits,
/// and an event's item code is the 6-digit GB/T 2260 area code followed by them (11 digits). The names of its big
/// classes are not listed here (null) until a city names them in <c>category_names</c>; nor is a code for
/// illegal parking, which each city must configure rather than have Vision guess.
/// </para>
/// </remarks>
public static class CaseCategoryTables
{
    /// <summary>Digits of a big class code: the first two digits of every small class code.</summary>
    public const int BigClassDigits = 2;

    /// <summary>Built-in names of the CJ/T 214 / GB/T 30428.2 big classes (2 digits) and small classes (4 digits) Vision uses.</summary>
    public static IReadOnlyDictionary<string, string> CjT214Names { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["01"] = "市容环境",
        ["05"] = "街面秩序",
        ["0102"] = "暴露垃圾",
        ["0501"] = "无照经营游商",
        ["0504"] = "店外经营",
        ["0505"] = "机动车乱停放",
        ["0506"] = "非机动车乱停放",
        ["0507"] = "乱堆物料",
        ["0510"] = "露天烧烤",
        ["0511"] = "沿街晾挂",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The CJ/T 214 category of each violation type unless <c>dispatch.categories</c> says otherwise.</summary>
    public static IReadOnlyDictionary<ViolationType, string> CjT214Defaults { get; } = new Dictionary<ViolationType, string>
    {
        [ViolationType.IllegalParking] = "0505",
        [ViolationType.StreetStall] = "0501",
        [ViolationType.Litter] = "0102",
    }.ToFrozenDictionary();

    /// <summary>Built-in names of the GB/T 47678.5-2026 small classes (5 digits) Vision uses; no big class names.</summary>
    public static IReadOnlyDictionary<string, string> GbT47678Names { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["06010"] = "暴露垃圾",
        ["09005"] = "店外经营",
        ["09006"] = "占道经营",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The GB/T 47678.5 category of each violation type that has one; illegal parking has none.</summary>
    public static IReadOnlyDictionary<ViolationType, string> GbT47678Defaults { get; } = new Dictionary<ViolationType, string>
    {
        [ViolationType.StreetStall] = "09006",
        [ViolationType.Litter] = "06010",
    }.ToFrozenDictionary();

    /// <summary>The code set's name in the config and in dispatch records: <c>cjt214</c> or <c>gbt47678</c>.</summary>
    public static string WireName(CaseCodeSet codeSet) => codeSet switch
    {
        CaseCodeSet.CjT214 => "cjt214",
        CaseCodeSet.GbT47678 => "gbt47678",
        _ => throw new ArgumentOutOfRangeException(nameof(codeSet)),
    };

    /// <summary>Digits of a small class code: 4 for cjt214, 5 for gbt47678.</summary>
    public static int SmallClassDigits(CaseCodeSet codeSet) => codeSet switch
    {
        CaseCodeSet.CjT214 => 4,
        CaseCodeSet.GbT47678 => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(codeSet)),
    };

    /// <summary>The built-in big and small class names of a code set.</summary>
    public static IReadOnlyDictionary<string, string> Names(CaseCodeSet codeSet) => codeSet switch
    {
        CaseCodeSet.CjT214 => CjT214Names,
        CaseCodeSet.GbT47678 => GbT47678Names,
        _ => throw new ArgumentOutOfRangeException(nameof(codeSet)),
    };

    /// <summary>The built-in default category code of each violation type in a code set.</summary>
    public static IReadOnlyDictionary<ViolationType, string> Defaults(CaseCodeSet codeSet) => codeSet switch
    {
        CaseCodeSet.CjT214 => CjT214Defaults,
        CaseCodeSet.GbT47678 => GbT47678Defaults,
        _ => throw new ArgumentOutOfRangeException(nameof(codeSet)),
    };

    /// <summary>
    /// The category of a small class code, its big class being its first two digits, both named from
    /// <paramref name="names"/>; null when the small class has no name there.
    /// </summary>
    public static CaseCategory? Find(string smallClassCode, IReadOnlyDictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(smallClassCode);
        ArgumentNullException.ThrowIfNull(names);
        if (smallClassCode.Length <= BigClassDigits || !names.TryGetValue(smallClassCode, out var smallName)) return null;
        string bigCode = smallClassCode[..BigClassDigits];
        return new CaseCategory(bigCode, names.GetValueOrDefault(bigCode), smallClassCode, smallName);
    }
}
