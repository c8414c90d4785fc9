using System.CommandLine;
using Vision.Pipeline;

namespace Vision.Pipeline.Cli;

/// <summary>The <c>vision</c> command line: <c>replay</c> for recorded video, <c>run</c> for live cameras.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        // As early as managed code can: arenas are created as threads contend on malloc and are never given back, so a
        // cap set later (the soak measured it at `run` start) leaves the 8 already made. MALLOC_ARENA_MAX=2 in the
        // service's environment is surer still (see README, "Soak").
        Hosting.NativeHeapLimits.Apply();
        var root = new RootCommand("Vision: finds illegal parking, street stalls and litter in street-camera video and keeps the evidence.");
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(EvidenceCommand.Create());
        root.Subcommands.Add(CasesCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(PlateCommand.Create());
        return CommandLineEntry.InvokeAsync(root, args);
    }
}
