using System.Globalization;
using Vision.Cases;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Evidence;

/// <summary>
/// A case's evidence against the image-evidence standards: GA/T 832-2014 (道路交通安全违法行为图像取证技术规范) and
/// Beijing's local rule. Judged from the case record alone, so <c>vision evidence verify</c> and the record agree.
/// </summary>
internal static class EvidenceStandards
{
    public static readonly TimeSpan StationarySpacing = TimeSpan.FromSeconds(10);

    /// <summary>Roles of the photos that show the whole scene (the close-up does not).</summary>
    public static bool IsPanoramic(string role) => role is "first_seen" or "midway" or "confirmation";

    /// <param name="photos">The case's photos as recorded (panoramic ones and the close-up).</param>
    /// <param name="ruleDwell">The rule's dwell: the posted stopping time Beijing's spacing is judged against.</param>
    /// <param name="plateText">The vehicle's plate as read, or null when none was read.</param>
    public static CaseCompliance Evaluate(IReadOnlyList<EvidencePhoto> photos, ViolationType violation, TimeSpan ruleDwell, string? plateText)
    {
        var panoramic = photos.Where(p => IsPanoramic(p.Role)).ToList();
        var times = panoramic.Select(p => DateTimeOffset.Parse(p.TakenAt, CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        var spread = times.Count >= 2 ? times[^1] - times[0] : TimeSpan.Zero;
        bool vehicle = violation == ViolationType.IllegalParking;

        var gat = new List<ComplianceCheck>
        {
            new("panoramic_photos", times.Count >= 2,
                $"{panoramic.Count} panoramic photo(s) at {times.Count} different time(s); at least 2 are required"),
            // Every violation Vision detects is stationary: a parked vehicle, a stall, a pile of garbage.
            new("stationary_spacing", times.Count >= 2 && spread >= StationarySpacing,
                Inv($"first and last panoramic photo {spread.TotalSeconds:0.0} s apart; a stationary violation needs at least {StationarySpacing.TotalSeconds:0} s")),
            Resolution(panoramic),
            TimeOnImage(photos),
        };
        if (vehicle) gat.Add(Plate(plateText, "the plate must be legible"));

        var beijing = new List<ComplianceCheck>
        {
            new("images", photos.Count >= 3, $"{photos.Count} image(s); at least 3 are required"),
            new("spacing_beyond_dwell", times.Count >= 2 && spread >= ruleDwell,
                Inv($"first and last panoramic photo {spread.TotalSeconds:0.0} s apart; the rule's stopping time (dwell) is {ruleDwell.TotalSeconds:0.#} s")),
        };
        if (vehicle) beijing.Add(Plate(plateText, "at least 1 image with a legible plate is required"));
        return new CaseCompliance(ComplianceVerdict.Of(gat), ComplianceVerdict.Of(beijing));
    }

    private static ComplianceCheck Resolution(IReadOnlyList<EvidencePhoto> panoramic)
    {
        var small = panoramic.Where(p => p.Width < EvidenceResolution.MinWidth || p.Height < EvidenceResolution.MinHeight).ToList();
        if (panoramic.Count == 0) return new("resolution", false, "no panoramic photo");
        if (small.Count == 0)
            return new("resolution", true, Inv($"every panoramic photo is at least {EvidenceResolution.MinWidth}x{EvidenceResolution.MinHeight}, 24-bit colour ({string.Join(", ", panoramic.Select(p => $"{p.Width}x{p.Height}").Distinct())})"));
        return new("resolution", false, string.Join("; ", small.Select(p =>
            Inv($"{Path.GetFileName(p.File)} is {p.Width}x{p.Height}, below {EvidenceResolution.MinWidth}x{EvidenceResolution.MinHeight}{(p.Source == PhotoSource.AnalysisFrame.ToWire() ? $" (from the analysis frame: {p.SourceNote})" : " (the camera's recorded resolution)")}"))));
    }

    private static ComplianceCheck TimeOnImage(IReadOnlyList<EvidencePhoto> photos)
    {
        var bare = photos.Where(p => p.AntiForgeryCode is null).ToList();
        return bare.Count == 0 && photos.Count > 0
            ? new("time_on_image", true, $"time, place, device id and anti-forgery code on the caption strip of all {photos.Count} image(s)")
            : new("time_on_image", false, $"{bare.Count} image(s) without a caption strip: {string.Join(", ", bare.Select(p => Path.GetFileName(p.File)))}");
    }

    private static ComplianceCheck Plate(string? plateText, string requirement) =>
        plateText is { Length: > 0 } plate
            ? new("plate_legible", true, $"plate {plate} read")
            : new("plate_legible", false, $"no plate read; {requirement}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
