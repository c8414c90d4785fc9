using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using OpenCvSharp;
using Vision.Pipeline.Ingest;
using Vision.Pipeline.Tracking;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Pipeline.Tools.TraceVideo;

/// <summary>
/// <c>vision replay --trace-video FILE</c>: every analysed frame as the analyser saw it (zones, detections, tracks, dwell
/// clocks, episode events), drawn and encoded to an H.264 MP4 at the analysis rate. The analysis thread only copies the
/// frame and its state into one of a few reused frames; drawing and encoding run on the writer's own thread. When the
/// encoder is behind, <see cref="Write"/> waits for a free frame rather than dropping one, so the video has every frame
/// and the analysis (which the writer only reads) gives the same cases with or without it.
/// </summary>
internal sealed class TraceVideoWriter : IAnalysedFrameObserver, IAsyncDisposable
{
    /// <summary>Frames between the analysis and the encoder: enough to ride out one slow encode, few enough to bound memory.</summary>
    public const int FramesInFlight = 4;

    private readonly string _path;
    private readonly int _width, _height;
    private readonly TraceVideoEncoder _encoder;
    private readonly TraceOverlay _overlay;
    private readonly TraceFrame[] _frames;
    private readonly Channel<TraceFrame> _free = Channel.CreateBounded<TraceFrame>(new BoundedChannelOptions(FramesInFlight) { SingleReader = true, SingleWriter = true });
    private readonly Channel<TraceFrame> _queued = Channel.CreateBounded<TraceFrame>(new BoundedChannelOptions(FramesInFlight) { SingleReader = true, SingleWriter = true });
    private readonly Mat _bgr;
    private readonly byte[] _bgrPixels;
    private System.Runtime.InteropServices.GCHandle _bgrPin;
    private readonly Thread _thread;
    private readonly CancellationToken _ct;
    private long _queuedCount;
    private long _written;
    private volatile string? _failure;
    private volatile Exception? _crash;
    private bool _finished;

    private TraceVideoWriter(string path, int width, int height, double fps, IReadOnlyList<string> classNames, TraceVideoEncoder encoder, CancellationToken ct)
    {
        _path = path;
        _width = width;
        _height = height;
        _encoder = encoder;
        _ct = ct;
        _overlay = new TraceOverlay(width, height, fps, classNames);
        VideoHeight = height + _overlay.StripHeight;
        _frames = new TraceFrame[FramesInFlight];
        for (int i = 0; i < _frames.Length; i++)
        {
            _frames[i] = new TraceFrame(width, height, _overlay.StripHeight);
            _free.Writer.TryWrite(_frames[i]);
        }
        _bgrPixels = GC.AllocateUninitializedArray<byte>(width * VideoHeight * 3, pinned: true);
        _bgrPin = System.Runtime.InteropServices.GCHandle.Alloc(_bgrPixels, System.Runtime.InteropServices.GCHandleType.Pinned);
        _bgr = Mat.FromPixelData(VideoHeight, width, MatType.CV_8UC3, _bgrPin.AddrOfPinnedObject());
        _thread = new Thread(EncodeLoop) { IsBackground = true, Name = "trace video" };
        _thread.Start();
    }

    /// <summary>
    /// Starts ffmpeg writing <paramref name="path"/> for analysed frames of <paramref name="width"/>×<paramref name="height"/>
    /// at <paramref name="fps"/>. <paramref name="ct"/> ends a <see cref="Write"/> that waits for the encoder.
    /// </summary>
    /// <param name="children">Where the encoder is registered (killed when they stop).</param>
    /// <param name="tool">The encoder executable (ffmpeg; tests put a failing stand-in here).</param>
    public static TraceVideoWriter Start(string path, int width, int height, double fps, IReadOnlyList<string> classNames, ChildProcesses children, CancellationToken ct, string tool = "ffmpeg")
    {
        int videoHeight = height + TraceOverlay.StripHeightFor(width, height);
        var encoder = TraceVideoEncoder.Start(path, width, videoHeight, fps, children, tool);
        try { return new TraceVideoWriter(path, width, height, fps, classNames, encoder, ct); }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    public string Path => _path;

    /// <summary>The video's width: the analysed frames'.</summary>
    public int VideoWidth => _width;

    /// <summary>The video's height: the analysed frames' and the strip below them (time and event log).</summary>
    public int VideoHeight { get; }

    /// <summary>Frames handed to ffmpeg so far.</summary>
    public long FramesWritten => Interlocked.Read(ref _written);

    /// <summary>
    /// Queues one analysed frame with what the analyser made of it; call on the analysis thread, after the rules, before
    /// the frame is released. Reads the arguments only. Once the encoder has failed, frames are no longer copied.
    /// </summary>
    void IAnalysedFrameObserver.Observe(CameraConfig camera, AnalysisFrame frame, ReadOnlySpan<Appearance> looks, IReadOnlyList<Track> tracks,
        CameraRuleEvaluator rules, List<EpisodeEvent> events) => Write(camera, frame, tracks, rules, events);

    public void Write(CameraConfig camera, AnalysisFrame frame, IReadOnlyList<Track> tracks, CameraRuleEvaluator rules, List<EpisodeEvent> events)
    {
        if (_failure is not null || _crash is not null) return;
        if (!_free.Reader.TryRead(out var trace))
            trace = _free.Reader.ReadAsync(_ct).AsTask().GetAwaiter().GetResult();

        trace.CopyPicture(frame.Buffer.Pixels);
        trace.Index = _queuedCount++;
        trace.Camera = camera;
        trace.CapturedAt = frame.CapturedAt;
        trace.StreamTime = frame.StreamTime;
        trace.Detections.Clear();
        trace.Detections.AddRange(frame.Detections);
        trace.Tracks.Clear();
        for (int i = 0; i < tracks.Count; i++)
        {
            var t = tracks[i];
            trace.Tracks.Add(new TrackedObject(t.Id, t.ClassId, t.Score, t.Box, t.Visible, t.Confirmed));
        }
        rules.CopyDwellClocks(trace.Clocks);
        trace.Events.Clear();
        trace.Events.AddRange(events);
        // Never full: there are only as many frames as it holds.
        if (!_queued.Writer.TryWrite(trace)) throw new InvalidOperationException("trace video queue refused a frame it has room for");
    }

    private void EncodeLoop()
    {
        var reader = _queued.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var trace))
            {
                try
                {
                    if (_failure is null && _crash is null) Encode(trace);
                }
                catch (IOException e)
                {
                    _failure = Failed(trace.Index, e.Message);
                }
                catch (Exception e)
                {
                    // A bug: FinishAsync throws it; meanwhile frames keep returning so the analysis never waits on a dead thread.
                    _crash = e;
                }
                _free.Writer.TryWrite(trace);
            }
        }
    }

    private void Encode(TraceFrame trace)
    {
        _overlay.Draw(trace);
        Cv2.CvtColor(trace.Bgra, _bgr, ColorConversionCodes.BGRA2BGR);
        _encoder.Write(_bgrPixels);
        Interlocked.Increment(ref _written);
    }

    private string Failed(long frameIndex, string error)
    {
        int? exit = _encoder.ExitCodeAfterFailure();
        string code = exit is { } c ? string.Create(CultureInfo.InvariantCulture, $"exit {c}") : "still running";
        string said = _encoder.ErrorTail is { Length: > 0 } tail ? tail : error;
        return string.Create(CultureInfo.InvariantCulture,
            $"trace video '{_path}' is incomplete: ffmpeg stopped taking frames at frame {frameIndex} ({code}): {said}");
    }

    /// <summary>
    /// Encodes what is queued and closes the file. Null when the video is complete; otherwise the one message that says
    /// why it is not (ffmpeg failed: a full disk, a missing encoder). The analysis is unaffected either way.
    /// </summary>
    public async Task<string?> FinishAsync()
    {
        if (_finished) throw new InvalidOperationException("the trace video is already finished");
        _finished = true;
        _queued.Writer.TryComplete();
        await Task.Run(() => _thread.Join()).ConfigureAwait(false);
        if (_crash is not null) ExceptionDispatchInfo.Throw(_crash);
        if (_failure is not null) return _failure;
        int exit = await _encoder.FinishAsync().ConfigureAwait(false);
        if (exit == 0) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"trace video '{_path}' is incomplete: ffmpeg failed closing it after {FramesWritten} frames (exit {exit}): {_encoder.ErrorTail}");
    }

    public async ValueTask DisposeAsync()
    {
        _queued.Writer.TryComplete();
        // An unfinished video (the replay failed or was stopped): ffmpeg goes first, so the loop's writes end at once.
        if (!_finished) _encoder.Dispose();
        await Task.Run(() => _thread.Join()).ConfigureAwait(false);
        _encoder.Dispose();
        foreach (var frame in _frames) frame.Dispose();
        _overlay.Dispose();
        _bgr.Dispose();
        if (_bgrPin.IsAllocated) _bgrPin.Free();
    }
}
