using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using Microsoft.AspNetCore.Http;
using Vision.Rules;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.ReviewConsole;

public enum ReportPeriod { Day, Week, Month }

/// <summary>What a report row is grouped by besides its period; the case statuses are its columns.</summary>
public enum ReportDimension { Street, Camera, Type }

/// <summary>
/// The performance-evaluation (考核) report: cases per period (day, ISO week or month, in each camera's time zone) and
/// street, camera or type, counted per status, as CSV (UTF-8 with BOM, so Excel reads the Chinese) or an Excel workbook.
/// </summary>
public sealed record CaseReportRequest(DateTimeOffset From, DateTimeOffset To, ReportPeriod Period, IReadOnlyList<ReportDimension> By)
{
    public const int MaxDays = 366;

    /// <summary>
    /// <c>from</c>/<c>to</c> (ISO dates or times within <see cref="DateBounds"/>; a date means that whole day in the config's
    /// time zone, <c>to</c> included; defaults: this month until now), <c>period</c> day|week|month, <c>by</c> a comma list of street, camera, type.
    /// Returns an error message instead when something is wrong.
    /// </summary>
    public static (CaseReportRequest? Request, string? Error) Parse(IQueryCollection q, TimeZoneInfo zone, DateTimeOffset now)
    {
        var localNow = TimeZoneInfo.ConvertTime(now, zone);
        DateTimeOffset from = StartOfDay(new DateTime(localNow.Year, localNow.Month, 1), zone), to = now;
        if (q["from"].ToString() is { Length: > 0 } f)
        {
            if (ParseBound(f, zone, isEnd: false) is not { } value) return (null, $"from: an ISO date (2026-03-01) or time (2026-03-01T08:00:00+08:00), {DateBounds.Text}");
            from = value;
        }
        if (q["to"].ToString() is { Length: > 0 } t)
        {
            if (ParseBound(t, zone, isEnd: true) is not { } value) return (null, $"to: an ISO date (2026-03-31, included) or time (exclusive), {DateBounds.Text}");
            to = value;
        }
        if (to <= from) return (null, "to must be after from");
        if (to - from > TimeSpan.FromDays(MaxDays)) return (null, $"at most {MaxDays} days per report: split the range");
        ReportPeriod period;
        switch (q["period"].ToString())
        {
            case "" or "day": period = ReportPeriod.Day; break;
            case "week": period = ReportPeriod.Week; break;
            case "month": period = ReportPeriod.Month; break;
            default: return (null, "period: day, week or month");
        }
        var by = new List<ReportDimension>();
        string byText = q["by"].ToString() is { Length: > 0 } b ? b : "camera,type";
        foreach (string part in byText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            ReportDimension? d = part switch { "street" => ReportDimension.Street, "camera" => ReportDimension.Camera, "type" => ReportDimension.Type, _ => null };
            if (d is null) return (null, $"by: a comma list of street, camera, type (not '{part}')");
            if (!by.Contains(d.Value)) by.Add(d.Value);
        }
        by.Sort();
        return (new CaseReportRequest(from, to, period, by), null);
    }

    private static DateTimeOffset? ParseBound(string text, TimeZoneInfo zone, bool isEnd)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return DateBounds.Contains(date) ? StartOfDay(date.ToDateTime(TimeOnly.MinValue).AddDays(isEnd ? 1 : 0), zone) : null;
        return DateBounds.TryParseTime(text, out var instant) ? instant : null;
    }

    private static DateTimeOffset StartOfDay(DateTime localMidnight, TimeZoneInfo zone) =>
        new(localMidnight, zone.GetUtcOffset(DateTime.SpecifyKind(localMidnight, DateTimeKind.Unspecified)));
}

/// <summary>One row: a period and the chosen dimensions, with the cases counted per status.</summary>
public sealed record CaseReportRow(string Period, string? Street, string? CameraId, string? CameraName, string? Type)
{
    public long AutoCaptured { get; set; }
    public long Confirmed { get; set; }
    public long Rejected { get; set; }
    public long Dispatched { get; set; }
    public long Total => AutoCaptured + Confirmed + Rejected + Dispatched;
}

public static class CaseReport
{
    /// <summary>The time zone of the report's bounds: the first camera's (the config's <c>timezone</c> unless the camera sets its own).</summary>
    public static TimeZoneInfo ZoneOf(VisionConfig config) =>
        config.Cameras.Count > 0 ? TimeZoneInfo.FindSystemTimeZoneById(config.Cameras[0].TimeZoneId) : TimeZoneInfo.Utc; // validated when the config loaded

    public static IReadOnlyList<CaseReportRow> Build(IReadOnlyList<CaseCountSlot> slots, VisionConfig config, CaseReportRequest request)
    {
        var fallback = ZoneOf(config);
        var zones = new Dictionary<string, TimeZoneInfo>(StringComparer.Ordinal);
        var rows = new Dictionary<(string, string?, string?, string?, string?), CaseReportRow>();
        bool byStreet = request.By.Contains(ReportDimension.Street), byCamera = request.By.Contains(ReportDimension.Camera), byType = request.By.Contains(ReportDimension.Type);
        foreach (var slot in slots)
        {
            var camera = config.FindCamera(slot.CameraId);
            if (!zones.TryGetValue(slot.CameraId, out var zone))
                zones[slot.CameraId] = zone = camera is not null ? TimeZoneInfo.FindSystemTimeZoneById(camera.TimeZoneId) : fallback;
            var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(slot.SlotStartMs), zone);
            var key = (PeriodLabel(local, request.Period),
                byStreet ? StreetOf(camera) : null,
                byCamera ? slot.CameraId : null,
                byCamera ? camera?.Name ?? slot.CameraId : null,
                byType ? Glossary.ViolationName(slot.Violation) : null);
            if (!rows.TryGetValue(key, out var row)) rows[key] = row = new CaseReportRow(key.Item1, key.Item2, key.Item3, key.Item4, key.Item5);
            switch (slot.Status)
            {
                case "auto_captured": row.AutoCaptured += slot.Cases; break;
                case "confirmed": row.Confirmed += slot.Cases; break;
                case "rejected": row.Rejected += slot.Cases; break;
                case "dispatched": row.Dispatched += slot.Cases; break;
            }
        }
        return rows.Values.OrderBy(r => r.Period, StringComparer.Ordinal).ThenBy(r => r.Street, StringComparer.Ordinal)
            .ThenBy(r => r.CameraId, StringComparer.Ordinal).ThenBy(r => r.Type, StringComparer.Ordinal).ToList();
    }

    /// <summary>The camera's street (<c>location.street</c>), else its address; "未配置" for a camera without either (or gone from the config).</summary>
    public static string StreetOf(CameraConfig? camera) => camera?.Location.StreetId ?? camera?.Location.Address ?? "未配置";

    public static string PeriodLabel(DateTimeOffset local, ReportPeriod period) => period switch
    {
        ReportPeriod.Day => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ReportPeriod.Week => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(local.DateTime)}-W{ISOWeek.GetWeekOfYear(local.DateTime):00}"),
        ReportPeriod.Month => local.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };

    /// <summary>Column headers in Chinese, in the order of <see cref="Cells"/>.</summary>
    public static IReadOnlyList<string> Headers(CaseReportRequest request)
    {
        var headers = new List<string> { request.Period switch { ReportPeriod.Day => "日期", ReportPeriod.Week => "周", _ => "月份" } };
        if (request.By.Contains(ReportDimension.Street)) headers.Add("街道");
        if (request.By.Contains(ReportDimension.Camera)) { headers.Add("摄像头编号"); headers.Add("摄像头名称"); }
        if (request.By.Contains(ReportDimension.Type)) headers.Add("违法类型");
        headers.AddRange(["案件总数", "待审核", "已确认", "已驳回", "已派遣"]);
        return headers;
    }

    public static IReadOnlyList<object> Cells(CaseReportRow row, CaseReportRequest request)
    {
        var cells = new List<object> { row.Period };
        if (request.By.Contains(ReportDimension.Street)) cells.Add(row.Street!);
        if (request.By.Contains(ReportDimension.Camera)) { cells.Add(row.CameraId!); cells.Add(row.CameraName!); }
        if (request.By.Contains(ReportDimension.Type)) cells.Add(row.Type!);
        cells.AddRange([row.Total, row.AutoCaptured, row.Confirmed, row.Rejected, row.Dispatched]);
        return cells;
    }

    /// <summary>RFC 4180 CSV, UTF-8 with a byte order mark (Excel then reads the Chinese), CRLF line ends.</summary>
    public static byte[] Csv(IReadOnlyList<CaseReportRow> rows, CaseReportRequest request)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', Headers(request).Select(Quote))).Append("\r\n");
        foreach (var row in rows)
            text.Append(string.Join(',', Cells(row, request).Select(c => Quote(Convert.ToString(c, CultureInfo.InvariantCulture) ?? "")))).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string value)
    {
        // A leading = + - @ would be a formula to a spreadsheet: street and camera names come from the config.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !long.TryParse(value, CultureInfo.InvariantCulture, out _)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>An .xlsx workbook: the table on 案件统计 (header frozen, counts as numbers) and what it covers on 说明.</summary>
    public static byte[] Xlsx(IReadOnlyList<CaseReportRow> rows, CaseReportRequest request, TimeZoneInfo zone, DateTimeOffset madeAt)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add("案件统计");
        var headers = Headers(request);
        for (int c = 0; c < headers.Count; c++) sheet.Cell(1, c + 1).Value = headers[c];
        sheet.Row(1).Style.Font.Bold = true;
        sheet.SheetView.FreezeRows(1);
        for (int r = 0; r < rows.Count; r++)
        {
            var cells = Cells(rows[r], request);
            for (int c = 0; c < cells.Count; c++)
            {
                var cell = sheet.Cell(r + 2, c + 1);
                if (cells[c] is long number) cell.Value = number;
                else cell.SetValue((string)cells[c]); // as text: ids such as 0101 stay as written
            }
        }
        for (int c = 1; c <= headers.Count; c++) sheet.Column(c).Width = c <= headers.Count - 5 ? 18 : 10;
        var about = workbook.Worksheets.Add("说明");
        string Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
        string[][] facts =
        [
            ["开始时间", Local(request.From)],
            ["结束时间（不含）", Local(request.To)],
            ["时区", zone.Id],
            ["周期", request.Period switch { ReportPeriod.Day => "日", ReportPeriod.Week => "周（ISO 周）", _ => "月" }],
            ["生成时间", Local(madeAt)],
            ["说明", "按确认时间统计；状态为案件当前状态。"],
        ];
        for (int r = 0; r < facts.Length; r++)
        {
            about.Cell(r + 1, 1).SetValue(facts[r][0]);
            about.Cell(r + 1, 2).SetValue(facts[r][1]);
        }
        about.Column(1).Width = 18;
        about.Column(2).Width = 40;
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
