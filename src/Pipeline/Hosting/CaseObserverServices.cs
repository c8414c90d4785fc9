using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Hosting;

/// <summary>Registers the case path's observers: every <see cref="ICaseObserver"/> in the container, called in registration order.</summary>
internal static class CaseObserverServices
{
    /// <summary>The metrics observer and <see cref="CaseObservers"/>; a stage adds its own observers with <c>AddSingleton&lt;ICaseObserver&gt;</c>.</summary>
    public static IServiceCollection AddCaseObservers(this IServiceCollection services)
    {
        services.AddSingleton<ICaseObserver>(sp => new CaseMetrics(sp.GetRequiredService<VisionMetrics>()));
        services.AddSingleton(sp => new CaseObservers(
            new Lazy<IReadOnlyList<ICaseObserver>>(() => sp.GetServices<ICaseObserver>().ToList()),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Vision.Cases")));
        return services;
    }
}
