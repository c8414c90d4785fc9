using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Vision.ReviewConsole;

/// <summary>
/// The console's pages and assets, embedded in the assembly (no CDN). Every page is the same shell
/// (<c>index.html</c>), which routes on the client; the server only decides which role may open which page.
/// </summary>
internal static class PageEndpoints
{
    public static void MapConsolePages(this WebApplication app)
    {
        app.MapGet("/login", () => ConsoleAssets.Answer("login.html"));
        foreach (var page in new[] { "/", "/cases/{id}", "/map", "/account" })
            app.MapGet(page, () => ConsoleAssets.Answer("index.html")).RequireAuthorization();
        foreach (var page in new[] { "/cameras", "/rules", "/zones/{id}" })
            app.MapGet(page, () => ConsoleAssets.Answer("index.html")).RequireAuthorization(ConsoleAuthentication.EngineerPolicy);
        app.MapGet("/admin/users", () => ConsoleAssets.Answer("index.html")).RequireAuthorization(ConsoleAuthentication.AdminPolicy);
        app.MapGet("/assets/glossary.js", () => Results.Bytes(ConsoleGlossary.Module, "text/javascript; charset=utf-8"));
        app.MapGet("/assets/{file}", (string file) => ConsoleAssets.Answer(file));
    }
}

/// <summary>The pages, scripts and style sheets embedded from <c>wwwroot</c>.</summary>
internal static class ConsoleAssets
{
    /// <summary>An embedded asset; null when there is none by that name.</summary>
    public static Stream? Open(string file) => Assembly.GetExecutingAssembly().GetManifestResourceStream("assets/" + file);

    public static IResult Answer(string file)
    {
        var stream = Open(file);
        if (stream is null) return Results.NotFound();
        string type = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }
}
