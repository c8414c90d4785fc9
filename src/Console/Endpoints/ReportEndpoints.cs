using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>The 考核 export: <c>GET /api/reports/cases.csv</c> and <c>.xlsx</c> (see <see cref="CaseReportRequest.Parse"/>).</summary>
internal static class ReportEndpoints
{
    public static void MapReports(this WebApplication app, ConsoleSources sources, CaseReports reports)
    {
        async Task<IResult> ExportAsync(HttpRequest request, bool excel, CancellationToken ct)
        {
            var config = sources.Config();
            var zone = CaseReport.ZoneOf(config);
            var now = sources.Clock.GetUtcNow();
            var (parsed, error) = CaseReportRequest.Parse(request.Query, zone, now);
            if (parsed is null) return ErrorAnswers.BadRequest(error!);
            var rows = CaseReport.Build(await reports.CountSlotsAsync(parsed.From, parsed.To, ct), config, parsed);
            string name = string.Create(CultureInfo.InvariantCulture,
                $"vision-cases-{TimeZoneInfo.ConvertTime(parsed.From, zone):yyyyMMdd}-{TimeZoneInfo.ConvertTime(parsed.To.AddTicks(-1), zone):yyyyMMdd}-{parsed.Period.ToString().ToLowerInvariant()}");
            return excel
                ? Results.File(CaseReport.Xlsx(rows, parsed, zone, now), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx")
                : Results.File(CaseReport.Csv(rows, parsed), "text/csv; charset=utf-8", name + ".csv");
        }
        var exports = app.MapGroup("/api/reports").RequireAuthorization();
        exports.MapGet("/cases.csv", (HttpRequest request, CancellationToken ct) => ExportAsync(request, excel: false, ct));
        exports.MapGet("/cases.xlsx", (HttpRequest request, CancellationToken ct) => ExportAsync(request, excel: true, ct));
    }
}
