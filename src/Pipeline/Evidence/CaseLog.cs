using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vision.Pipeline.Evidence;

/// <summary>Appends case records to <c>cases.jsonl</c>, one JSON object a line, flushed after each so a crash loses no finished case.</summary>
public sealed class CaseLog : IAsyncDisposable
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _count;

    /// <param name="append">Live service: keep the cases of earlier runs. Replay starts the file afresh.</param>
    public CaseLog(string path, bool append = false)
    {
        var stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        Path = path;
    }

    public string Path { get; }
    /// <summary>Cases appended by this log.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Appends one line; safe to call from several evidence workers at once.</summary>
    public async Task AppendAsync(CaseRecord record, CancellationToken ct)
    {
        string line = JsonSerializer.Serialize(record, JsonOptions);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _writer.WriteLineAsync(line.AsMemory(), ct).ConfigureAwait(false);
            await _writer.FlushAsync(ct).ConfigureAwait(false);
            Interlocked.Increment(ref _count);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
