using System.Data.Common;
using System.Globalization;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>A camera's open cases: awaiting review (auto-captured) and confirmed but not yet dispatched.</summary>
public sealed record OpenCaseCount(int Pending, int Confirmed)
{
    public static OpenCaseCount None { get; } = new(0, 0);

    public int Open => Pending + Confirmed;
}

/// <summary>
/// Open cases per camera in one GROUP BY over the case database (shared by every node of a cluster), for the map.
/// Plain SQL for SQLite and PostgreSQL alike: @name parameters, no dialect functions.
/// </summary>
public sealed class OpenCaseCounts(CaseDatabase database)
{
    /// <summary>Cameras with at least one open case; a camera missing from the answer has none.</summary>
    public async Task<IReadOnlyDictionary<string, OpenCaseCount>> PerCameraAsync(CancellationToken ct)
    {
        await using DbConnection connection = database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT camera_id, status, count(*) FROM cases
            WHERE status = @pending OR status = @confirmed
            GROUP BY camera_id, status
            """;
        AddParameter(command, "@pending", CaseStatus.AutoCaptured.ToWire());
        AddParameter(command, "@confirmed", CaseStatus.Confirmed.ToWire());
        var counts = new Dictionary<string, OpenCaseCount>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            string camera = reader.GetString(0);
            int cases = Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture);
            var sofar = counts.GetValueOrDefault(camera, OpenCaseCount.None);
            counts[camera] = reader.GetString(1) == CaseStatus.AutoCaptured.ToWire() ? sofar with { Pending = cases } : sofar with { Confirmed = cases };
        }
        return counts;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
