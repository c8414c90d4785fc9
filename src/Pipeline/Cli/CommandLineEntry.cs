using System.CommandLine;

namespace Vision.Pipeline.Cli;

/// <summary>Parses and runs a command; a mistyped command line exits 2 with its message, like every other user mistake.</summary>
internal static class CommandLineEntry
{
    public const int UserError = 2;

    /// <summary>How long a stop may take before the process is ended anyway.</summary>
    public static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(12);

    /// <summary>The run finished but some confirmed cases could not be written (the disk was full); they are listed on stderr.</summary>
    public const int CasesNotWritten = 4;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"vision: {error.Message}");
            Console.Error.WriteLine("vision: see 'vision --help'");
            return UserError;
        }
        // System.CommandLine ends the process 2 s after SIGTERM by default; `vision run` finishes evidence in progress
        // within its own 10 s shutdown budget, so give it that (and a little) before a forced exit.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = ShutdownBudget }).ConfigureAwait(false);
    }
}
