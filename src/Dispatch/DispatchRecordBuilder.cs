using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vision.Rules.Config;

namespace Vision.Dispatch;

/// <summary>Builds the <see cref="DispatchCaseRecord"/> of a case from its facts and the dispatch config, and writes it as JSON.</summary>
public static class DispatchRecordBuilder
{
    private const string UtcFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const string LocalFormat = "yyyy-MM-dd'T'HH:mm:ss.fffzzz";

    // About 0.1 m: finer digits only repeat the camera's configured precision.
    private const int CoordinateDecimals = 6;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Relaxed: Chinese and '+' in offsets as is. The body is JSON for an API, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>The record of a case: category from the rule (or its type) in the configured code set, location, times, evidence and status.</summary>
    /// <exception cref="ArgumentException">A status is not one of <see cref="DispatchCaseStatus"/>, the rule's type has no
    /// category, or gbt47678 is configured without an area code (a validated config has neither problem).</exception>
    public static DispatchCaseRecord Build(CaseFacts facts, DispatchConfig config)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(config);
        CheckStatus(facts.Status, nameof(facts));
        foreach (var change in facts.History) CheckStatus(change.Status, nameof(facts));

        var category = CategoryOf(facts.Rule, config);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(facts.Camera.TimeZoneId);
        var location = facts.Camera.Location;
        var (longitude, latitude, coordinateSystem) = Coordinates(location, config.Coordinates);

        bool plate = facts.PlateNumber is not null || facts.PlateUnreadableReason is not null;
        return new DispatchCaseRecord
        {
            Schema = plate ? DispatchCaseRecord.SchemaId : DispatchCaseRecord.SchemaIdWithoutPlate,
            CaseId = facts.CaseId,
            CodeSet = CaseCategoryTables.WireName(config.CodeSet),
            BigClassCode = category.BigClassCode,
            BigClassName = category.BigClassName,
            SmallClassCode = category.SmallClassCode,
            SmallClassName = category.SmallClassName,
            ItemCode = ItemCode(category, config),
            Violation = facts.Rule.Type.ToWire(),
            CameraId = facts.Camera.Id,
            CameraName = facts.Camera.Name,
            Address = location.Address ?? facts.Camera.Name,
            Longitude = longitude,
            Latitude = latitude,
            CoordinateSystem = coordinateSystem,
            GridCode = location.GridCode,
            DistrictId = location.DistrictId,
            StreetId = location.StreetId,
            CommunityId = location.CommunityId,
            ZoneId = facts.ZoneId,
            StartedAt = Utc(facts.StartedAt),
            ConfirmedAt = Utc(facts.ConfirmedAt),
            StartedAtLocal = Local(facts.StartedAt, zone),
            ConfirmedAtLocal = Local(facts.ConfirmedAt, zone),
            DwellSeconds = Math.Round((facts.ConfirmedAt - facts.StartedAt).TotalSeconds, 3),
            Confidence = Math.Round(facts.Confidence, 3),
            ObjectClass = string.IsNullOrWhiteSpace(facts.ObjectClass) ? null : facts.ObjectClass,
            PlateNumber = facts.PlateNumber,
            PlateConfidence = facts.PlateNumber is null ? null : Math.Round(facts.PlateConfidence ?? 0, 3),
            PlateUnreadableReason = facts.PlateNumber is null ? facts.PlateUnreadableReason : null,
            RuleId = facts.Rule.Id,
            RuleVersion = facts.Rule.Version,
            Description = CaseDescription.For(facts),
            Evidence = facts.Evidence.Select(e => new DispatchEvidence(e.Key, e.Url, e.Sha256, e.ContentType, e.Role)).ToList(),
            Status = facts.Status,
            StatusHistory = facts.History.Select(h => new DispatchStatusChange(h.Status, Utc(h.At), h.By, h.Reason, h.Note)).ToList(),
        };
    }

    /// <summary>The record as compact UTF-8 JSON, Chinese written as is (not \u-escaped), nulls left out.</summary>
    public static byte[] ToJson(DispatchCaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return JsonSerializer.SerializeToUtf8Bytes(record, JsonOptions);
    }

    private static CaseCategory CategoryOf(RuleDefinition rule, DispatchConfig config)
    {
        if (rule.CategoryCode is null && !config.Categories.ContainsKey(rule.Type))
            throw new ArgumentException($"rule '{rule.Id}': {CaseCategoryTables.WireName(config.CodeSet)} has no category for {rule.Type.ToWire()}; set dispatch.categories.{rule.Type.ToWire()}", nameof(config));
        return config.CategoryFor(rule);
    }

    private static string? ItemCode(CaseCategory category, DispatchConfig config)
    {
        if (config.CodeSet != CaseCodeSet.GbT47678) return null;
        if (config.AreaCode is null) throw new ArgumentException("code set gbt47678 needs an area code for item codes", nameof(config));
        return config.AreaCode + category.SmallClassCode;
    }

    private static (double? Longitude, double? Latitude, string? System) Coordinates(CameraLocation location, CoordinateSystem system)
    {
        if (location.Longitude is not { } longitude || location.Latitude is not { } latitude) return (null, null, null);
        if (system == CoordinateSystem.Gcj02)
        {
            var (gcjLongitude, gcjLatitude) = Gcj02.FromWgs84(longitude, latitude);
            return (Math.Round(gcjLongitude, CoordinateDecimals), Math.Round(gcjLatitude, CoordinateDecimals), "GCJ02");
        }
        return (Math.Round(longitude, CoordinateDecimals), Math.Round(latitude, CoordinateDecimals), "WGS84");
    }

    private static void CheckStatus(string status, string parameter)
    {
        if (!DispatchCaseStatus.IsKnown(status))
            throw new ArgumentException($"unknown case status '{status}'; known: {string.Join(", ", DispatchCaseStatus.All)}", parameter);
    }

    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString(UtcFormat, CultureInfo.InvariantCulture);

    private static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString(LocalFormat, CultureInfo.InvariantCulture);
}
