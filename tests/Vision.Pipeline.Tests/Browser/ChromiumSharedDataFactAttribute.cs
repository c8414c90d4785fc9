
namespace Vision.Pipeline.Tests.Browser;

/// <summary>
/// A fact that needs both ../shared (model and footage, for a real <c>vision run</c>) and headless Chromium with
/// Playwright's driver; skipped, saying which is missing, without either.
/// </summary>
public sealed class ChromiumSharedDataFactAttribute : FactAttribute
{
    public ChromiumSharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
        else if (Chromium.UnavailableReason is { } reason) Skip = reason;
    }
}
