using System.Net;
using Microsoft.AspNetCore.Identity;
using Vision.Storage;

namespace Vision.ReviewConsole;

/// <summary>Why a sign-in attempt failed, or null when it succeeded.</summary>
public enum SignInRefusal { WrongCredentials, Locked, TooManyAttempts, Disabled }

/// <summary>The outcome of a sign-in attempt: the account, or why not (never telling which of name or password was wrong).</summary>
public sealed record SignInResult(ConsoleAccount? Account, SignInRefusal? Refusal, DateTimeOffset? LockedUntil = null, TimeSpan? RetryAfter = null);

/// <summary>
/// Checks a user name and password under the console's sign-in policy (README, "Sign-in policy"):
/// <list type="number">
/// <item>an address with <see cref="SignInThrottle.MaxFailures"/> failures in <see cref="SignInThrottle.Window"/> (attempts in progress
/// counted) is refused first;</item>
/// <item>every attempt costs one password hash, an unknown user's against a dummy hash, so timing does not tell names apart;</item>
/// <item><see cref="AccountLockThreshold"/> failures in a row lock the account for <see cref="LockoutDuration"/>, but only
/// against addresses the account has not signed in from within <see cref="SessionStore.Retention"/>: strangers cannot lock
/// the real user out of their own desk, and need that many addresses' worth of attempts to lock it for anyone else;</item>
/// <item>"locked" and "disabled" are only said to someone who gave the right password; a wrong one is "wrong
/// credentials" either way, so neither reveals which names exist.</item>
/// </list>
/// </summary>
public sealed class CredentialCheck
{
    public const int AccountLockThreshold = 20;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private static readonly ConsoleAccount Nobody = new("", "", ConsoleRole.Officer, "", 0, null, DateTimeOffset.UnixEpoch);

    private readonly PasswordHasher<ConsoleAccount> _hasher = new();
    private readonly string _dummyHash;
    private readonly UserStore _users;
    private readonly ISessionStore _sessions;
    private readonly SignInThrottle _throttle;
    private readonly TimeProvider _clock;

    public CredentialCheck(UserStore users, ISessionStore sessions, SignInThrottle throttle, TimeProvider clock)
    {
        _users = users;
        _sessions = sessions;
        _throttle = throttle;
        _clock = clock;
        // Same algorithm and work factor as real hashes, so verifying it costs the same.
        _dummyHash = _hasher.HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)));
    }

    public async Task<SignInResult> CheckAsync(string username, string password, IPAddress? address, CancellationToken ct)
    {
        // The place is reserved before the password is checked: attempts at once cannot all pass one check.
        using var attempt = _throttle.TryBegin(address, out var wait);
        if (attempt is null) return new SignInResult(null, SignInRefusal.TooManyAttempts, RetryAfter: wait);
        var account = await _users.FindAsync(username.Trim(), ct).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var verdict = _hasher.VerifyHashedPassword(account ?? Nobody, account?.PasswordHash ?? _dummyHash, password);
        if (account is null || verdict == PasswordVerificationResult.Failed)
        {
            attempt.Failed();
            if (account is not null)
                await _users.RecordFailureAsync(account.Username, AccountLockThreshold, now, now + LockoutDuration, ct).ConfigureAwait(false);
            return new SignInResult(null, SignInRefusal.WrongCredentials);
        }
        if (account.DisabledAt is not null) return new SignInResult(null, SignInRefusal.Disabled);
        if (account.LockedUntil is { } until && until > now
            && (address is null || !await _sessions.SignedInFromAsync(account.Username, SignInThrottle.Key(address), now - SessionStore.Retention, ct).ConfigureAwait(false)))
            return new SignInResult(null, SignInRefusal.Locked, until);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            await _users.SetPasswordHashAsync(account.Username, _hasher.HashPassword(account, password), ct).ConfigureAwait(false);
        await _users.RecordSuccessAsync(account.Username, ct).ConfigureAwait(false);
        return new SignInResult(account, null);
    }
}
