using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vision.Cases;

/// <summary>How a case is written as JSON: cases.jsonl lines, the case store's record column, manifests.</summary>
public static class CaseJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };
}
