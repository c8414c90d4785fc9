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

    public CaseLog(string path)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        Path = path;
    }

    public string Path { get; }
    public int Count { get; private set; }

    public async Task AppendAsync(CaseRecord record, CancellationToken ct)
    {
        await _writer.WriteLineAsync(JsonSerializer.Serialize(record, JsonOptions).AsMemory(), ct).ConfigureAwait(false);
        await _writer.FlushAsync(ct).ConfigureAwait(false);
        Count++;
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
