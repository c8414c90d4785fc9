using System.Diagnostics;
using Vision.Pipeline.Ingest;

namespace Vision.Pipeline.Detect;

/// <summary>The pipeline's stages, for time accounting.</summary>
internal enum Stage { Decode, Detection, TrackingAndRules, Evidence }

/// <summary>Time spent per stage and frames through it; thread-safe, read for progress lines, the summary and benchmarks.</summary>
internal sealed class StageTimings
{
    private readonly long[] _ticks = new long[4];
    private readonly long[] _items = new long[4];
    private long _batches, _batchedFrames;

    public void Add(Stage stage, TimeSpan elapsed, int items = 1)
    {
        Interlocked.Add(ref _ticks[(int)stage], elapsed.Ticks);
        Interlocked.Add(ref _items[(int)stage], items);
    }

    /// <summary>Sets a stage's total directly (decode time is read from ffmpeg's CPU time).</summary>
    public void Set(Stage stage, TimeSpan total, long items)
    {
        Interlocked.Exchange(ref _ticks[(int)stage], total.Ticks);
        Interlocked.Exchange(ref _items[(int)stage], items);
    }

    public void RecordBatch(int size)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedFrames, size);
    }

    public TimeSpan Total(Stage stage) => TimeSpan.FromTicks(Interlocked.Read(ref _ticks[(int)stage]));
    public long Items(Stage stage) => Interlocked.Read(ref _items[(int)stage]);
    public double MeanBatchSize => _batches == 0 ? 0 : (double)_batchedFrames / _batches;

    /// <summary>"decode 40% · detection 50% · tracking+rules 2% · evidence 8%".</summary>
    public string Shares()
    {
        double all = 0;
        for (int i = 0; i < _ticks.Length; i++) all += _ticks[i];
        if (all <= 0) return "no time recorded";
        string Share(Stage s) => (100.0 * _ticks[(int)s] / all).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
        return $"decode {Share(Stage.Decode)} · detection {Share(Stage.Detection)} · tracking+rules {Share(Stage.TrackingAndRules)} · evidence {Share(Stage.Evidence)}";
    }

    public static long Now() => Stopwatch.GetTimestamp();
}
