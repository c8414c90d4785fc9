using Vision.Rules.Config;
using Vision.Storage;

namespace Vision.Pipeline;

/// <summary>
/// The config a running node works by: the one it started with, replaced by each edit of the config file that
/// <c>vision run</c> accepts, and the reason the last edit was refused. Readers take <see cref="Current"/> at each use
/// (as an <c>IOptionsMonitor</c>'s current value), so an accepted edit reaches them without a restart.
/// </summary>
internal sealed class RunningConfig(VisionConfig initial) : IOrderWait
{
    private volatile VisionConfig _current = initial;
    private volatile string? _lastReloadError;
    private int _reloads;

    /// <summary>The config running now (changes on reload).</summary>
    public VisionConfig Current => _current;

    /// <summary><c>dispatch.order_wait</c> now; its default without <c>dispatch</c>.</summary>
    TimeSpan IOrderWait.OrderWait => Current.Dispatch?.OrderWait ?? Outbox.DefaultOrderWait;

    /// <summary>Why the last edit of the config file was refused; null when it was applied.</summary>
    public string? LastReloadError => _lastReloadError;

    /// <summary>How many edits of the config (or its zones files) have been applied since start.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>
    /// Makes an accepted edit the running config. Set before its cameras are applied: a camera move applied meanwhile
    /// then starts its cameras with the new config, not the old.
    /// </summary>
    internal void Accept(VisionConfig next) => _current = next;

    /// <summary>The accepted edit has been applied: no error stands.</summary>
    internal void Applied()
    {
        _lastReloadError = null;
        Interlocked.Increment(ref _reloads);
    }

    /// <summary>The edit was refused; the running config stays as it was.</summary>
    internal void Refuse(string error) => _lastReloadError = error;
}
