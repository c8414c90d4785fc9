using System.Text;
using Vision.Cases;

namespace Vision.Pipeline.Evidence;

/// <summary>Appends case records to <c>cases.jsonl</c>, one JSON object a line, flushed after each so a crash loses no finished case.</summary>
internal sealed class CaseLog : IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _count;

    /// <param name="append">Live service: keep the cases of earlier runs. Replay starts the file afresh.</param>
    public CaseLog(string path, bool append = false)
    {
        // Unbuffered: a line that could not be written (disk full) is cut off again, never left in a buffer to be written twice.
        _stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        Path = path;
    }

    public string Path { get; }
    /// <summary>Cases appended by this log.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Appends one whole line or nothing; safe to call from several evidence workers at once.</summary>
    public async Task AppendAsync(CaseRecord record, CancellationToken ct)
    {
        byte[] line = Utf8.GetBytes(record.ToJson() + "\n");
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        long end = _stream.Length;
        try
        {
            _stream.Seek(end, SeekOrigin.Begin);
            await _stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _count);
        }
        catch (IOException)
        {
            try { _stream.SetLength(end); } catch (IOException) { }
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
