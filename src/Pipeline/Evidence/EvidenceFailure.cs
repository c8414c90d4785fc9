using Microsoft.Data.Sqlite;

namespace Vision.Pipeline.Evidence;

/// <summary>Which failures of writing a case mean "no room or no access on the evidence disk": the case is kept and retried, never dropped.</summary>
internal static class EvidenceFailure
{
    private const int SqliteFull = 13, SqliteIoError = 10, SqliteCantOpen = 14, SqliteReadOnly = 8;

    public static bool IsStorageFull(Exception e) => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteFull or SqliteIoError or SqliteCantOpen or SqliteReadOnly,
        UnauthorizedAccessException => true,
        DirectoryNotFoundException or FileNotFoundException => false,
        IOException io => io.HResult is DiskFullHResult or QuotaHResult || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
                          || io.Message.Contains("Disk quota", StringComparison.OrdinalIgnoreCase) || io.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase),
        _ => e.InnerException is { } inner && IsStorageFull(inner),
    };

    /// <summary>ENOSPC and EDQUOT as .NET reports them on Linux (the errno in the HResult's low bits).</summary>
    private const int DiskFullHResult = 28, QuotaHResult = 122;
}
