using System.CommandLine;

namespace Vision.Pipeline.Cli;

/// <summary>Parses and runs a command; a mistyped command line exits 2 with its message, like every other user mistake.</summary>
public static class CommandLineEntry
{
    public const int UserError = 2;

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
        return await parsed.InvokeAsync().ConfigureAwait(false);
    }
}
