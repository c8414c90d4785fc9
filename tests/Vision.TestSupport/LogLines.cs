using Microsoft.Extensions.Logging;

namespace Vision.TestSupport;

/// <summary>A logger that keeps what it was told (level and text), for tests that check what an operator reads.</summary>
public sealed class LogLines : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Text)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Lines
    {
        get { lock (_gate) return _lines.ToList(); }
    }

    /// <summary>The texts of the lines at <paramref name="level"/> that contain <paramref name="fragment"/>.</summary>
    public IReadOnlyList<string> At(LogLevel level, string fragment) =>
        Lines.Where(l => l.Level == level && l.Text.Contains(fragment, StringComparison.Ordinal)).Select(l => l.Text).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) _lines.Add((logLevel, formatter(state, exception)));
    }
}
