namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// Tests that start `vision run` with its console and drive it over HTTP or from Chromium, on cases seeded into its
/// database: they wait on no camera's analysis, so they run beside the other tests (one at a time among themselves:
/// each starts a node and a browser). Console tests that wait for cases from a camera's footage stay in the
/// live-camera collection: beside the CPU-heavy replays the node's analysis falls behind.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleProcessesCollection
{
    public const string Name = "Console processes";
}
