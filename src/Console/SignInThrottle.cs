using System.Net;
using System.Net.Sockets;

namespace Vision.ReviewConsole;

/// <summary>
/// Failed sign-ins per client address: after <see cref="MaxFailures"/> within <see cref="Window"/> (sliding) the address
/// is refused before any password is checked, whichever user names it tries, until the oldest failures age out.
/// Successful sign-ins do not refund failures, so one known account cannot be used to keep guessing others.
/// An attempt reserves its place before its password is checked (<see cref="TryBegin"/>), so of many attempts at once
/// from one address at most <see cref="MaxFailures"/> are checked. An address's record is dropped once its failures
/// aged out, so memory follows the addresses that failed recently. IPv6 addresses count per /64, the block one
/// machine usually gets.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // How long an address waits when only attempts in progress (no failures yet) fill its allowance.
    private static readonly TimeSpan InProgressWait = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, AddressAttempts> _addresses = new(StringComparer.Ordinal);
    private int _sweepAt = 1024;

    /// <summary>Null when the address may try to sign in now; else roughly how long until it may. Reserves nothing.</summary>
    public TimeSpan? Refused(IPAddress? address)
    {
        lock (_lock) return Wait(Key(address), clock.GetUtcNow());
    }

    /// <summary>
    /// Reserves one attempt for the address, atomically with the check: null (and how long to wait) when its failures and
    /// the attempts in progress already make <see cref="MaxFailures"/>. The caller ends the attempt with
    /// <see cref="SignInAttempt.Failed"/>, or disposes it (a success, or no answer), which frees the place.
    /// </summary>
    public SignInAttempt? TryBegin(IPAddress? address, out TimeSpan retryAfter)
    {
        string key = Key(address);
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (Wait(key, now) is { } wait)
            {
                retryAfter = wait;
                return null;
            }
            if (!_addresses.TryGetValue(key, out var attempts)) _addresses[key] = attempts = new AddressAttempts();
            attempts.InProgress++;
            if (_addresses.Count > _sweepAt) Sweep(now);
        }
        retryAfter = TimeSpan.Zero;
        return new SignInAttempt(this, key);
    }

    private void End(string key, bool failed)
    {
        lock (_lock)
        {
            if (!_addresses.TryGetValue(key, out var attempts)) return;
            attempts.InProgress--;
            if (failed) attempts.Failures.Enqueue(clock.GetUtcNow());
            else if (attempts.InProgress == 0 && attempts.Failures.Count == 0) _addresses.Remove(key);
        }
    }

    private TimeSpan? Wait(string key, DateTimeOffset now)
    {
        if (!_addresses.TryGetValue(key, out var attempts)) return null;
        while (attempts.Failures.TryPeek(out var oldest) && oldest + Window <= now) attempts.Failures.Dequeue();
        if (attempts.Failures.Count + attempts.InProgress < MaxFailures)
        {
            if (attempts.Failures.Count == 0 && attempts.InProgress == 0) _addresses.Remove(key);
            return null;
        }
        return attempts.Failures.Count >= MaxFailures ? attempts.Failures.Peek() + Window - now : InProgressWait;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (string key in _addresses.Keys.ToList()) Wait(key, now);
        _sweepAt = Math.Max(1024, _addresses.Count * 2);
    }

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

    private sealed class AddressAttempts
    {
        public Queue<DateTimeOffset> Failures { get; } = new(MaxFailures);
        public int InProgress { get; set; }
    }

    /// <summary>One reserved sign-in attempt: <see cref="Failed"/> counts it against the address; disposing it otherwise frees its place.</summary>
    public sealed class SignInAttempt : IDisposable
    {
        private readonly SignInThrottle _throttle;
        private readonly string _key;
        private int _ended;

        internal SignInAttempt(SignInThrottle throttle, string key)
        {
            _throttle = throttle;
            _key = key;
        }

        public void Failed()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) _throttle.End(_key, failed: true);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) _throttle.End(_key, failed: false);
        }
    }
}
