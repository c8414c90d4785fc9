using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Rules;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>The wire codes the console's pages offer and check: case statuses, violation types, reject reasons, roles.</summary>
internal sealed record ConsoleVocabulary(IReadOnlyList<string> Statuses, IReadOnlyList<string> Violations, IReadOnlyList<string> RejectReasons, IReadOnlyList<string> Roles)
{
    /// <summary>Made from the types the server checks requests with, so the pages never keep their own copy.</summary>
    public static ConsoleVocabulary Current { get; } = new(
        Enum.GetValues<CaseStatus>().Select(s => s.ToWire()).ToList(),
        Enum.GetValues<ViolationType>().Select(v => v.ToWire()).ToList(),
        ReviewConsole.RejectReasons.All,
        Enum.GetValues<ConsoleRole>().Select(r => r.ToWire()).ToList());

    /// <summary>"a, b or c", as the API's error messages list the choices.</summary>
    public static string Choices(IReadOnlyList<string> codes) =>
        codes.Count < 2 ? string.Concat(codes) : $"{string.Join(", ", codes.Take(codes.Count - 1))} or {codes[^1]}";
}

/// <summary>The server's <see cref="Glossary"/>: Chinese names of violation types and object classes.</summary>
internal sealed record GlossaryView(IReadOnlyDictionary<string, string> Violations, IReadOnlyDictionary<string, string> ObjectClasses);

/// <summary>
/// What the pages read instead of keeping lists of their own: <c>GET /api/vocabulary</c> (<see cref="ConsoleVocabulary"/>),
/// and the glossary as JSON (<c>GET /api/glossary</c>) and as a module (<c>/assets/glossary.js</c>, loaded with the
/// other modules, so no page waits for it; the sign-in page uses it too). Zone names are per camera and come with each case.
/// </summary>
internal static class VocabularyEndpoints
{
    public static void MapVocabulary(this WebApplication app)
    {
        app.MapGet("/api/vocabulary", () => Results.Json(ConsoleVocabulary.Current)).RequireAuthorization();
        app.MapGet("/api/glossary", () => Results.Json(ConsoleGlossary.Data)).RequireAuthorization();
    }
}

/// <summary>The glossary the console reads, as data and as the <c>/assets/glossary.js</c> module.</summary>
internal static class ConsoleGlossary
{
    public static GlossaryView Data { get; } = new(Glossary.Violations, Glossary.ObjectClasses);

    /// <summary><c>export const GLOSSARY = {…};</c>, made once: the glossary is fixed for a build.</summary>
    public static byte[] Module { get; } = Encoding.UTF8.GetBytes(
        "// Made by the server from Vision.Rules.Glossary: the one list of Chinese names.\nexport const GLOSSARY = Object.freeze(" +
        JsonSerializer.Serialize(Data, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default }) + ");\n");
}
