using System.Globalization;
using Vision.Pipeline.Ingest;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.LiveUnits;

public sealed class FfmpegArgumentsTests
{
    private static FrameReaderOptions Options(string source, DecodeMode decode = DecodeMode.All) =>
        new(source, 640, 360, 2, decode);

    /// <summary>Where <paramref name="run"/> appears as consecutive arguments; -1 when it does not.</summary>
    internal static int IndexOf(IReadOnlyList<string> args, params string[] run)
    {
        for (int i = 0; i + run.Length <= args.Count; i++)
        {
            bool match = true;
            for (int j = 0; j < run.Length && match; j++) match = args[i + j] == run[j];
            if (match) return i;
        }
        return -1;
    }

    private static int InputAt(IReadOnlyList<string> args) => IndexOf(args, "-i");

    [Theory]
    [InlineData("rtsp://admin:pw@10.0.0.5/h264")]
    [InlineData("RTSP://10.0.0.5/h264")]
    [InlineData("rtsps://10.0.0.5:322/h265")]
    public void Rtsp_source_uses_tcp_and_a_socket_timeout_in_microseconds_before_the_input(string source)
    {
        var args = FfmpegFrameReader.BuildArguments(Options(source) with { SocketTimeout = TimeSpan.FromSeconds(5) });

        int at = IndexOf(args, "-rtsp_transport", "tcp", "-timeout", "5000000");
        Assert.InRange(at, 0, InputAt(args) - 1);
        Assert.Equal(source, args[InputAt(args) + 1]);
        Assert.DoesNotContain("-rw_timeout", args);
    }

    [Fact]
    public void Http_source_uses_a_read_write_timeout_and_no_rtsp_options()
    {
        var args = FfmpegFrameReader.BuildArguments(Options("http://10.0.0.9/mjpg/video.mjpg") with { SocketTimeout = TimeSpan.FromMilliseconds(2500) });

        Assert.InRange(IndexOf(args, "-rw_timeout", "2500000"), 0, InputAt(args) - 1);
        Assert.DoesNotContain("-rtsp_transport", args);
        Assert.DoesNotContain("-timeout", args);
    }

    [Fact]
    public void File_source_has_no_network_timeouts()
    {
        var args = FfmpegFrameReader.BuildArguments(Options("/srv/footage/gate.mp4"));

        Assert.DoesNotContain("-rtsp_transport", args);
        Assert.DoesNotContain("-timeout", args);
        Assert.DoesNotContain("-rw_timeout", args);
        Assert.Equal("/srv/footage/gate.mp4", args[InputAt(args) + 1]);
    }

    [Fact]
    public void Keyframes_mode_tells_the_decoder_to_skip_other_frames()
    {
        var keyframes = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264", DecodeMode.Keyframes));
        var all = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264", DecodeMode.All));

        Assert.InRange(IndexOf(keyframes, "-skip_frame", "nokey"), 0, InputAt(keyframes) - 1);
        Assert.DoesNotContain("-skip_frame", all);
    }

    [Fact]
    public void Recording_adds_a_stream_copied_numbered_segment_output_with_its_list_before_the_raw_video_pipe()
    {
        var options = Options("rtsp://10.0.0.5/h264") with
        {
            RecordTo = "/var/lib/vision/rec/cam-01/seg-%010d.ts",
            RecordStartNumber = 42,
            RecordList = "/var/lib/vision/rec/cam-01/list-0000000042.csv",
            SegmentLength = TimeSpan.FromSeconds(2),
        };

        var args = FfmpegFrameReader.BuildArguments(options);

        int input = InputAt(args);
        int copy = IndexOf(args, "-map", "0:v:0", "-c:v", "copy", "-f", "segment");
        int pattern = IndexOf(args, "/var/lib/vision/rec/cam-01/seg-%010d.ts");
        int pipe = IndexOf(args, "pipe:1");
        Assert.True(input < copy && copy < pattern && pattern < pipe, $"order: -i {input}, copy {copy}, pattern {pattern}, pipe {pipe}");
        Assert.InRange(IndexOf(args, "-segment_time", "2"), copy, pattern);
        Assert.InRange(IndexOf(args, "-segment_format", "mpegts"), copy, pattern);
        Assert.InRange(IndexOf(args, "-segment_start_number", "42"), copy, pattern);
        Assert.InRange(IndexOf(args, "-segment_list", "/var/lib/vision/rec/cam-01/list-0000000042.csv", "-segment_list_type", "csv"), copy, pattern);
        // Named by number, never by the wall clock, which can step back.
        Assert.DoesNotContain("-strftime", args);
        // The analysis filters belong to the pipe output only: a filter on the copy output would make ffmpeg re-encode or fail.
        Assert.InRange(IndexOf(args, "-vf"), pattern, pipe);
        Assert.Equal(pipe, args.Count - 1);
    }

    [Fact]
    public void Without_recording_there_is_only_the_raw_video_output()
    {
        var args = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264"));

        Assert.DoesNotContain("segment", args);
        Assert.DoesNotContain("copy", args);
        Assert.Equal(["-f", "rawvideo", "pipe:1"], args.Skip(args.Count - 3));
        Assert.Contains(args, a => a.Contains("scale=640:360", StringComparison.Ordinal));
        Assert.Contains(args, a => a.EndsWith(",showinfo", StringComparison.Ordinal));
    }

    [Fact]
    public void Numbers_are_written_with_a_dot_in_any_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var options = new FrameReaderOptions("rtsp://10.0.0.5/h264", 640, 360, 2.5, DecodeMode.All) { RecordTo = "/rec/seg-%010d.ts", SegmentLength = TimeSpan.FromMilliseconds(1500) };

            var args = FfmpegFrameReader.BuildArguments(options);

            Assert.True(IndexOf(args, "-segment_time", "1.5") >= 0, string.Join(' ', args));
            Assert.Contains(args, a => a.Contains("t*2.5", StringComparison.Ordinal));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void File_played_as_live_is_read_in_real_time_and_looped()
    {
        var args = FfmpegFrameReader.BuildArguments(Options("/srv/footage/gate.mp4") with { PlayFileAsLive = true });

        Assert.InRange(IndexOf(args, "-re", "-stream_loop", "-1"), 0, InputAt(args) - 1);
    }

    [Fact]
    public void Play_as_live_does_not_apply_to_network_sources()
    {
        var args = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264") with { PlayFileAsLive = true });

        Assert.DoesNotContain("-re", args);
        Assert.DoesNotContain("-stream_loop", args);
    }

    [Fact]
    public void Decoder_threads_are_set_before_the_input_only_when_asked()
    {
        var one = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264") with { DecoderThreads = 1 });
        var auto = FfmpegFrameReader.BuildArguments(Options("rtsp://10.0.0.5/h264"));

        Assert.InRange(IndexOf(one, "-threads", "1"), 0, InputAt(one) - 1);
        Assert.DoesNotContain("-threads", auto);
    }

    [Theory]
    [InlineData("[Parsed_showinfo_2 @ 0x55d1c0a] n:   3 pts:  10800 pts_time:0.12    duration:   3600 duration_time:0.04   fmt:bgr24", 0.12)]
    [InlineData("[Parsed_showinfo_2 @ 0x55d1c0a] n:1207 pts:1086300000 pts_time:12070   duration:3600", 12070)]
    [InlineData("[Parsed_showinfo_1 @ 0x55d1c0a] n:   0 pts:  -3600 pts_time:-0.04", -0.04)]
    public void Showinfo_line_gives_the_frame_s_pts_time_in_seconds(string line, double expected)
    {
        Assert.True(FfmpegFrameReader.TryParsePtsTime(line, out double seconds));
        Assert.Equal(expected, seconds, 9);
    }

    [Theory]
    [InlineData("[Parsed_showinfo_2 @ 0x55d1c0a] config in time_base: 1/90000, frame_rate: 25/1")]
    [InlineData("[mpegts @ 0x55d1c0a] n:3 pts:10800 pts_time:0.12")]
    [InlineData("[Parsed_showinfo_2 @ 0x55d1c0a] n:   3 pts:NOPTS pts_time:NOPTS duration:3600")]
    [InlineData("")]
    public void Lines_that_are_not_showinfo_frame_lines_give_no_time(string line)
    {
        Assert.False(FfmpegFrameReader.TryParsePtsTime(line, out _));
    }
}
