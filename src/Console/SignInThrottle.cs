using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Vision.ReviewConsole;

/// <summary>
/// Failed sign-ins per client address: after <see cref="MaxFailures"/> within <see cref="Window"/> (sliding) the address
/// is refused before any password is checked, whichever user names it tries, until the oldest failures age out.
/// Successful sign-ins do not refund failures, so one known account cannot be used to keep guessing others.
/// Built on the shared framework's <see cref="PartitionedRateLimiter"/>: an address's limiter is dropped once it is
/// full again, so memory follows the addresses that failed recently. IPv6 addresses count per /64, the block one
/// machine usually gets.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = MaxFailures,
            Window = Window,
            SegmentsPerWindow = 15,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the address may try to sign in now; else roughly how long until it may.</summary>
    public TimeSpan? Refused(IPAddress? address)
    {
        using var probe = _failures.AttemptAcquire(Key(address), 0); // 0 permits: only asks whether one is left
        if (probe.IsAcquired) return null;
        return probe.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : Window / 15;
    }

    public void RecordFailure(IPAddress? address)
    {
        using var lease = _failures.AttemptAcquire(Key(address), 1);
    }

    public void Dispose() => _failures.Dispose();

    /// <summary>How an address counts: IPv4 as it is, IPv6 by its /64 network.</summary>
    public static string Key(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
