using System.Threading.Channels;
using Vision.Pipeline.Detect;

namespace Vision.Pipeline.Ingest;

/// <summary>A bounded channel of frames whose writer waits when it is full: nothing is dropped (replay of a file).</summary>
internal sealed class ChannelFrameFeed : IFrameFeed
{
    private readonly Channel<AnalysisFrame> _channel;

    public ChannelFrameFeed(int capacity)
    {
        _channel = Channel.CreateBounded<AnalysisFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelWriter<AnalysisFrame> Writer => _channel.Writer;

    public async ValueTask<int> ReadBatchAsync(AnalysisFrame[] batch, TimeSpan maxWait, CancellationToken ct)
    {
        var reader = _channel.Reader;
        if (!await reader.WaitToReadAsync(ct).ConfigureAwait(false)) return 0;
        int count = 0;
        while (count < batch.Length && reader.TryRead(out var frame)) batch[count++] = frame;
        if (count == batch.Length || maxWait <= TimeSpan.Zero) return count;

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(maxWait);
        try
        {
            while (count < batch.Length && await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                while (count < batch.Length && reader.TryRead(out var frame)) batch[count++] = frame;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        return count;
    }
}
