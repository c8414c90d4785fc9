using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>
/// The key ring that protects the console's cookies, in the cluster's database instead of each node's disk, so a
/// browser signed in on one node is signed in on all of them (behind a load balancer without affinity too).
/// </summary>
public sealed class SharedKeyRing(SharedKeys keys, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => keys.KeyRing().ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        keys.AddToKeyRing(string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName, element, clock.GetUtcNow());

    /// <summary>Every node protects and reads cookies with the ring in <paramref name="keys"/>.</summary>
    public static void Use(IServiceCollection services, SharedKeys keys, TimeProvider clock)
    {
        services.AddDataProtection().SetApplicationName("vision-console");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new SharedKeyRing(keys, clock));
    }
}
