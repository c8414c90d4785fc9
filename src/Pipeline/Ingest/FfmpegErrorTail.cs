namespace Vision.Pipeline.Ingest;

/// <summary>The last lines an ffmpeg child printed that were not its own reports: what a failure is classified from. Thread-safe.</summary>
internal sealed class FfmpegErrorTail
{
    private const int LinesKept = 20;

    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line.Trim());
            if (_lines.Count > LinesKept) _lines.Dequeue();
        }
    }

    /// <summary>The lines joined by " | ", credentials removed.</summary>
    public override string ToString()
    {
        lock (_lines) return SecretRedactor.Redact(string.Join(" | ", _lines));
    }
}
