namespace Vision.Pipeline.Tests.Live;

/// <summary>
/// Tests that run real RTSP servers and `vision run` processes measure timeouts and reconnects, so they
/// run on their own, not beside the CPU-heavy replay tests on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCamerasCollection
{
    public const string Name = "Live cameras";
}
