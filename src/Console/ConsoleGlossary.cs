using System.Text;
using System.Text.Json;
using Vision.Rules;

namespace Vision.ReviewConsole;

/// <summary>
/// The server's <see cref="Glossary"/> as the console reads it: a JavaScript module (<c>/assets/glossary.js</c>, loaded
/// with the other modules, so no page waits for an extra request) and the same data as JSON (<c>/api/glossary</c>).
/// Zone names are per camera and come with each case (<c>zoneName</c>).
/// </summary>
internal static class ConsoleGlossary
{
    public static object Data() => new { violations = Glossary.Violations, objectClasses = Glossary.ObjectClasses };

    /// <summary><c>export const GLOSSARY = {…};</c>, made once: the glossary is fixed for a build.</summary>
    public static byte[] Module { get; } = Encoding.UTF8.GetBytes(
        "// Made by the server from Vision.Rules.Glossary: the one list of Chinese names.\nexport const GLOSSARY = Object.freeze(" +
        JsonSerializer.Serialize(Data(), new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default }) + ");\n");
}
