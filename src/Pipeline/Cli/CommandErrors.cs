using Vision.Models;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline.Cli;

/// <summary>How every command ends on a mistake the user can fix: one line <c>vision &lt;command&gt;: what to do</c> on stderr and exit 2; a bug keeps its stack trace.</summary>
internal static class CommandErrors
{
    /// <summary>Exit code of a command stopped by Ctrl-C or SIGTERM.</summary>
    public const int Stopped = 130;

    /// <summary>
    /// Runs a command's work. A mistake the user can fix (<see cref="UserFacing"/>, or an evidence store that refuses)
    /// exits 2 with its message; a stop through <paramref name="stopping"/> prints <c>stopped</c> and exits 130.
    /// <paramref name="describe"/>, where given, words an exception before <see cref="UserFacing"/> does.
    /// </summary>
    public static async Task<int> RunAsync(string command, Func<Task<int>> action, CancellationToken stopping = default, Func<Exception, string?>? describe = null)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when ((describe?.Invoke(e) ?? UserFacing(e)) is { } message)
        {
            return Fail(command, message);
        }
        catch (EvidenceStoreException e)
        {
            return Fail(command, e.Message);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Console.Error.WriteLine($"vision {command}: stopped");
            return Stopped;
        }
    }

    /// <summary>Writes <c>vision &lt;command&gt;: message</c> to stderr and gives the exit code of a user's mistake.</summary>
    public static int Fail(string command, string message)
    {
        Console.Error.WriteLine($"vision {command}: {message}");
        return CommandLineEntry.UserError;
    }

    /// <summary>The one message a user gets for a mistake they can fix; null for a bug (which keeps its stack trace).</summary>
    public static string? UserFacing(Exception e) => e switch
    {
        ConfigException c => c.Errors.Count == 1 ? c.Message : Mistakes(c, "mistakes in the config"),
        ModelLoadException m => m.Message,
        VideoSourceException v => v.Message,
        UsageException u => u.Message,
        UnauthorizedAccessException a => $"cannot write the output: {a.Message}",
        IOException io when io.HResult == 28 || io.Message.Contains("space", StringComparison.OrdinalIgnoreCase) => $"disk full while writing evidence: {io.Message}; free space or choose another --out",
        _ => null,
    };

    /// <summary>Every mistake of <paramref name="e"/>, one an indented line under "N <paramref name="what"/>:".</summary>
    public static string Mistakes(ConfigException e, string what) =>
        $"{e.Errors.Count} {what}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", e.Errors)}";
}
