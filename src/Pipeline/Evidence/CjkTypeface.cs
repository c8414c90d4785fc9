using SkiaSharp;

namespace Vision.Pipeline.Evidence;

/// <summary>Finds a font that has Chinese glyphs, so labels on evidence photos render rather than showing empty boxes.</summary>
internal static class CjkTypeface
{
    private static readonly string[] KnownFiles =
    [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ];

    /// <summary>A typeface that can draw 违停, Simplified Chinese forms preferred; null when none is installed (install fonts-noto-cjk).</summary>
    public static SKTypeface? Find()
    {
        // Known files first, so the same machine set-up always renders with the same face.
        foreach (var file in KnownFiles)
        {
            if (!File.Exists(file)) continue;
            SKTypeface? fallback = null;
            for (int index = 0; index < 16; index++)
            {
                var face = SKTypeface.FromFile(file, index);
                if (face is null) break;
                if (!HasChinese(face)) { face.Dispose(); continue; }
                if (face.FamilyName.EndsWith(" SC", StringComparison.Ordinal)) { fallback?.Dispose(); return face; }
                if (fallback is null) fallback = face; else face.Dispose();
            }
            if (fallback is not null) return fallback;
        }
        return SKFontManager.Default.MatchCharacter(null, SKFontStyle.Normal, ["zh-Hans", "zh"], '违');
    }

    public static bool HasChinese(SKTypeface typeface)
    {
        using var font = new SKFont(typeface);
        return font.ContainsGlyph('违');
    }
}
