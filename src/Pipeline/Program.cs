using System.CommandLine;
using Vision.Pipeline.Cli;

var root = new RootCommand("Vision: finds illegal parking, street stalls and litter in street-camera video and keeps the evidence.");
root.Subcommands.Add(ReplayCommand.Create());
root.Subcommands.Add(RunCommand.Create());
return await CommandLineEntry.InvokeAsync(root, args);
