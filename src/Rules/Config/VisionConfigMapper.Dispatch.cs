using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Vision.Rules.Config;

/// <summary>The <c>dispatch</c> section, camera <c>location</c>s and the rules' <c>dispatch</c> and <c>category</c> keys.</summary>
internal sealed partial class VisionConfigMapper
{
    private const string DispatchUrlExample = ConfigSchema.Dispatch.UrlExample;
    private const int AreaCodeDigits = 6;

    private static readonly string[] CategoryKeys = [ViolationTypeNames.IllegalParking, ViolationTypeNames.StreetStall, ViolationTypeNames.Litter];

    /// <summary>What cameras and rules are checked against; null when the file has no <c>dispatch</c> section.</summary>
    private DispatchCoding? _dispatchCoding;

    /// <summary>A rule of a type without a category was reported once; more such rules are the same mistake.</summary>
    private bool _uncodedRuleReported;

    /// <summary>
    /// The code set and grid format rules and locations are checked against, the categories known by code, and the
    /// violation types that have a category (a default, or one written in <c>categories</c>, right or wrong).
    /// <see cref="CategoriesChecked"/> is false when the names or codes had errors, so rules are not also blamed for them.
    /// </summary>
    private sealed record DispatchCoding(
        CaseCodeSet CodeSet,
        GridCodeFormat GridFormat,
        IReadOnlyDictionary<string, CaseCategory> Known,
        IReadOnlyCollection<ViolationType> CodedTypes,
        bool CategoriesChecked);

    private DispatchConfig? ReadDispatch(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Dispatch.Section);
        if (m is null)
        {
            _dispatchCoding = new DispatchCoding(CaseCodeSet.CjT214, GridCodeFormat.CjT213, new Dictionary<string, CaseCategory>(), Enum.GetValues<ViolationType>(), CategoriesChecked: false);
            return null;
        }

        Uri? url = null;
        if (m.Required("url", DispatchUrlExample) is { } urlNode && _r.Text(urlNode, m.PathOf("url"), "an http or https URL") is { } urlText)
        {
            url = ParseDispatchUrl(urlText.Trim(), out var problem);
            if (problem is not null) _r.Error(urlNode, m.PathOf("url"), problem);
        }

        var codeSet = m.Read(ConfigSchema.Dispatch.CodeSet);
        string? areaCode = ReadAreaCode(m, codeSet);
        var gridFormat = m.Read(ConfigSchema.Dispatch.GridFormat);
        var coordinates = m.Read(ConfigSchema.Dispatch.Coordinates);
        var send = m.Read(ConfigSchema.Dispatch.Send);
        var timeout = m.Read(ConfigSchema.Dispatch.Timeout);
        int maxAttempts = m.Read(ConfigSchema.Dispatch.MaxAttempts);
        var retryInitial = m.Read(ConfigSchema.Dispatch.RetryInitial);
        var retryMax = m.Read(ConfigSchema.Dispatch.RetryMax);
        if (retryMax < retryInitial)
            m.Error("retry_max", $"retry_max ({ConfigDuration.Format(retryMax)}) must not be below retry_initial ({ConfigDuration.Format(retryInitial)})");
        var orderWait = m.Read(ConfigSchema.Dispatch.OrderWait);

        var names = new Dictionary<string, string>(CaseCategoryTables.Names(codeSet), StringComparer.Ordinal);
        bool namesOk = m.GetSet("category_names") is not { } namesNode || ReadCategoryNames(namesNode, m.PathOf("category_names"), codeSet, names);
        var known = new Dictionary<string, CaseCategory>(StringComparer.Ordinal);
        foreach (var code in names.Keys)
            if (code.Length == CaseCategoryTables.SmallClassDigits(codeSet) && CaseCategoryTables.Find(code, names) is { } category)
                known[code] = category;

        // Rules and categories are checked against the names, so the names must be settled first.
        var coding = new DispatchCoding(codeSet, gridFormat, known, [], namesOk);
        var codes = new Dictionary<ViolationType, string>(CaseCategoryTables.Defaults(codeSet));
        var codedTypes = new HashSet<ViolationType>(codes.Keys);
        bool codesOk = m.GetSet("categories") is not { } categoriesNode || ReadCategoryCodes(categoriesNode, m.PathOf("categories"), coding, codes, codedTypes);
        _dispatchCoding = coding with { CodedTypes = codedTypes, CategoriesChecked = namesOk && codesOk };

        if (url is null || !namesOk || !codesOk) return null;
        var categories = new Dictionary<ViolationType, CaseCategory>();
        foreach (var (type, code) in codes) categories[type] = known[code];
        return new DispatchConfig(url, codeSet, areaCode, gridFormat, coordinates, send, timeout, maxAttempts, retryInitial, retryMax, orderWait, categories, known);
    }

    /// <summary>An absolute http(s) URL without credentials in it; null with the problem otherwise.</summary>
    internal static Uri? ParseDispatchUrl(string text, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            problem = $"'{text}' is not an absolute http or https URL; write the dispatch core's intake address, e.g. {DispatchUrlExample}";
            return null;
        }
        if (uri.UserInfo.Length > 0)
        {
            // The URL is not echoed: it holds a secret.
            problem = "the URL holds a user name or password; remove it: requests are signed with the key from VISION_DISPATCH_KEY, never with credentials in the config";
            return null;
        }
        return uri;
    }

    private string? ReadAreaCode(YamlMap m, CaseCodeSet codeSet)
    {
        var node = m.GetSet("area_code");
        if (node is null)
        {
            if (codeSet == CaseCodeSet.GbT47678)
                m.Error("area_code", "code_set gbt47678 needs 'area_code': item codes are the 6-digit GB/T 2260 area code followed by the 5-digit category; add e.g. 'area_code: \"110105\"'");
            return null;
        }
        var text = _r.Text(node, m.PathOf("area_code"), "a 6-digit GB/T 2260 area code such as \"110105\"")?.Trim();
        if (text is null) return null;
        if (!IsDigits(text, AreaCodeDigits) || text == "000000")
        {
            _r.Error(node, m.PathOf("area_code"), $"'{text}' is not a GB/T 2260 area code: write the 6 digits of the city or district, quoted, e.g. \"110105\"");
            return null;
        }
        return text;
    }

    /// <summary>Reads <c>category_names</c> (code → Chinese name) over the built-in names; false when any entry was wrong.</summary>
    private bool ReadCategoryNames(YamlNode node, string path, CaseCodeSet codeSet, Dictionary<string, string> names)
    {
        int smallDigits = CaseCategoryTables.SmallClassDigits(codeSet);
        string setName = CaseCategoryTables.WireName(codeSet);
        if (node is not YamlMappingNode mapping)
        {
            _r.Error(node, path, $"expected a mapping of {setName} codes to Chinese names (e.g. '\"{SmallCodeExample(codeSet)}\": 其他街面秩序'), got {YamlConfigReader.Describe(node)}");
            return false;
        }
        bool ok = true;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } keyText } || YamlConfigReader.IsNull(keyNode))
            {
                _r.Error(keyNode, path, $"category codes must be plain text, got {YamlConfigReader.Describe(keyNode)}");
                ok = false;
                continue;
            }
            string code = keyText.Trim();
            string codePath = YamlConfigReader.Child(path, code);
            _r.Locations.Add(codePath, _r.At(keyNode));
            if (!IsDigits(code, CaseCategoryTables.BigClassDigits) && !IsDigits(code, smallDigits))
            {
                _r.Error(keyNode, codePath,
                    $"'{code}' is not a {setName} code: write {CaseCategoryTables.BigClassDigits} digits for a big class or {smallDigits} for a small class, quoted, e.g. \"{SmallCodeExample(codeSet)}\"");
                ok = false;
                continue;
            }
            var name = _r.Text(value, codePath, "a Chinese category name such as 其他街面秩序")?.Trim();
            if (name is null) { ok = false; continue; }
            if (name.Length == 0)
            {
                _r.Error(value, codePath, "is blank; write the category's Chinese name as the city's dispatch core shows it");
                ok = false;
                continue;
            }
            names[code] = name;
        }
        return ok;
    }

    /// <summary>
    /// Reads <c>categories</c> (violation type → code) over the code set's defaults; false when any entry was wrong.
    /// <paramref name="writtenTypes"/> gets every type written, valid or not (all of them when the section is unreadable).
    /// </summary>
    private bool ReadCategoryCodes(YamlNode node, string path, DispatchCoding coding, Dictionary<ViolationType, string> codes, HashSet<ViolationType> writtenTypes)
    {
        var m = _r.Map(node, path, CategoryKeys, $"street_stall: \"{SmallCodeExample(coding.CodeSet)}\"");
        if (m is null)
        {
            writtenTypes.UnionWith(Enum.GetValues<ViolationType>());
            return false;
        }
        bool ok = true;
        foreach (var type in Enum.GetValues<ViolationType>())
        {
            if (m.Get(type.ToWire()) is not { } codeNode) continue;
            writtenTypes.Add(type);
            if (ReadCategoryCode(codeNode, m.PathOf(type.ToWire()), coding) is { } code) codes[type] = code;
            else ok = false;
        }
        return ok;
    }

    /// <summary>A small class code of the configured set that has a name; null (reported) otherwise.</summary>
    private string? ReadCategoryCode(YamlNode node, string path, DispatchCoding coding)
    {
        int digits = CaseCategoryTables.SmallClassDigits(coding.CodeSet);
        string setName = CaseCategoryTables.WireName(coding.CodeSet);
        var code = _r.Text(node, path, $"a {digits}-digit {setName} category code such as \"{SmallCodeExample(coding.CodeSet)}\"")?.Trim();
        if (code is null) return null;
        if (!IsDigits(code, digits))
        {
            var other = coding.CodeSet == CaseCodeSet.CjT214 ? "gbt47678 codes have 5 digits" : "cjt214 codes have 4 digits";
            _r.Error(node, path, $"'{code}' is not a {setName} category code: they have {digits} digits ({other}; see dispatch.code_set); write it quoted, e.g. \"{SmallCodeExample(coding.CodeSet)}\"");
            return null;
        }
        if (coding.CategoriesChecked && !coding.Known.ContainsKey(code))
        {
            var known = string.Join(", ", coding.Known.Values.OrderBy(c => c.SmallClassCode, StringComparer.Ordinal).Select(c => $"{c.SmallClassCode} {c.SmallClassName}"));
            _r.Error(node, path, $"unknown {setName} category '{code}'; known: {known}. For a code your city added, name it under dispatch.category_names, e.g. '\"{code}\": <Chinese name>'");
            return null;
        }
        return code;
    }

    /// <summary>
    /// A rule's <c>dispatch</c> policy and <c>category</c> code; reports them without a dispatch section, and (once)
    /// a rule whose violation type has no category in the code set.
    /// </summary>
    private (DispatchPolicy? Policy, string? CategoryCode) ReadRuleDispatch(YamlMap m, ViolationType? type, ref bool ok)
    {
        if (_dispatchCoding is not { } coding)
        {
            foreach (var key in new[] { "dispatch", "category" })
            {
                if (m.Get(key) is null) continue;
                m.ErrorAtKey(key, $"'{key}' has no effect without a top-level 'dispatch' section; add one (url, code_set, ...) or remove this key");
                ok = false;
            }
            return (null, null);
        }

        DispatchPolicy? policy = null;
        if (m.Get("dispatch") is { } policyNode)
        {
            if (YamlConfigReader.IsNull(policyNode))
            {
                _r.Error(policyNode, m.PathOf("dispatch"), "is empty; write on_detection or after_review, or remove the key to follow dispatch.send");
                ok = false;
            }
            else if (m.TryChoice(policyNode, m.PathOf("dispatch"), ConfigSchema.Dispatch.Policies, "dispatch policy", out var parsed)) policy = parsed;
            else ok = false;
        }

        string? categoryCode = null;
        if (m.Get("category") is { } categoryNode)
        {
            categoryCode = ReadCategoryCode(categoryNode, m.PathOf("category"), coding);
            if (categoryCode is null) ok = false;
        }
        else if (type is { } t && !coding.CodedTypes.Contains(t) && !_uncodedRuleReported)
        {
            _uncodedRuleReported = true;
            int digits = CaseCategoryTables.SmallClassDigits(coding.CodeSet);
            string setName = CaseCategoryTables.WireName(coding.CodeSet);
            m.Error("type", $"code set {setName} has no default category for {t.ToWire()} ({t.ChineseName()}), and Vision does not guess one; " +
                $"set dispatch.categories.{t.ToWire()} to your city's {digits}-digit code (name it under dispatch.category_names if it is not built in), or give this rule a 'category'");
            ok = false;
        }
        return (policy, categoryCode);
    }

    private CameraLocation? ReadLocation(YamlNode node, string path)
    {
        var m = _r.Map(node, path, ConfigSchema.Location.Section);
        if (m is null) return null;
        bool ok = true;
        string? address = LocationText(m, "address", "the street address the camera watches", ref ok);
        double? lon = Coordinate(m, "lon", 180, "longitude", ref ok);
        double? lat = Coordinate(m, "lat", 90, "latitude", ref ok);
        if (ok && (lon is null) != (lat is null))
        {
            var (present, missing) = lon is null ? ("lat", "lon") : ("lon", "lat");
            m.Error(present, $"'{present}' is set without '{missing}'; write both (WGS-84 degrees) or neither");
            ok = false;
        }
        string? grid = ReadGridCode(m, ref ok);
        string? district = LocationText(m, "district", "the district id the dispatch core uses", ref ok);
        string? street = LocationText(m, "street", "the street (街道) id the dispatch core uses", ref ok);
        string? community = LocationText(m, "community", "the community (社区) id the dispatch core uses", ref ok);
        return ok ? new CameraLocation(address, lon, lat, grid, district, street, community) : null;
    }

    private string? LocationText(YamlMap m, string key, string what, ref bool ok)
    {
        if (m.Get(key) is not { } node) return null;
        var text = _r.Text(node, m.PathOf(key), what)?.Trim();
        if (text is null) { ok = false; return null; }
        if (text.Length > 0) return text;
        _r.Error(node, m.PathOf(key), $"is blank; write {what} or remove the key");
        ok = false;
        return null;
    }

    private double? Coordinate(YamlMap m, string key, double limit, string what, ref bool ok)
    {
        if (m.Get(key) is not { } node) return null;
        var value = _r.Number(node, m.PathOf(key));
        if (value is null) { ok = false; return null; }
        if (Math.Abs(value.Value) <= limit) return value;
        var text = value.Value.ToString(CultureInfo.InvariantCulture);
        var hint = key == "lat" && Math.Abs(value.Value) <= 180 ? "; lon and lat may be swapped" : "";
        _r.Error(node, m.PathOf(key), $"{what} {text} is out of range: WGS-84 degrees between -{limit} and {limit}{hint}");
        ok = false;
        return null;
    }

    /// <summary>The unit grid code, all digits, with the length of the configured format (either, without a dispatch section).</summary>
    private string? ReadGridCode(YamlMap m, ref bool ok)
    {
        if (m.Get("grid") is not { } node) return null;
        var code = _r.Text(node, m.PathOf("grid"), "a unit grid code such as \"11010500100101\"")?.Trim();
        if (code is null) { ok = false; return null; }
        string? problem = _dispatchCoding?.GridFormat switch
        {
            GridCodeFormat.CjT213 when !IsDigits(code, 14) =>
                $"'{code}' is not a CJ/T 213 unit grid code: write its 14 digits, quoted (the first 6 are the GB/T 2260 area code), e.g. \"11010500100101\"; for 15-digit GB/T 30428.1 codes set dispatch.grid_format: gbt30428",
            GridCodeFormat.GbT30428 when !IsDigits(code, 15) =>
                $"'{code}' is not a GB/T 30428.1 unit grid code: write its 15 digits, quoted (the first 6 are the GB/T 2260 area code); for 14-digit CJ/T 213 codes set dispatch.grid_format: cjt213",
            null when !IsDigits(code, 14) && !IsDigits(code, 15) =>
                $"'{code}' is not a unit grid code: write its 14 digits (CJ/T 213) or 15 digits (GB/T 30428.1), quoted, e.g. \"11010500100101\"",
            _ => null,
        };
        if (problem is null) return code;
        _r.Error(node, m.PathOf("grid"), problem);
        ok = false;
        return null;
    }

    private static string SmallCodeExample(CaseCodeSet codeSet) => codeSet == CaseCodeSet.GbT47678 ? "09005" : "0504";

    private static bool IsDigits(string text, int length)
    {
        if (text.Length != length) return false;
        foreach (char c in text)
            if (c is < '0' or > '9') return false;
        return true;
    }
}
