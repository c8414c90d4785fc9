namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// Tests that start `vision run` with its console and drive it over HTTP or from Chromium. They measure no stream
/// timing, so they run beside the other tests (one at a time among themselves: each starts a node and a browser).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleProcessesCollection
{
    public const string Name = "Console processes";
}
