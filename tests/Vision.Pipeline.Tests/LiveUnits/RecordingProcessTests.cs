using Vision.Pipeline.Ingest;
using Vision.Pipeline.Evidence;
using static Vision.Pipeline.Tests.LiveUnits.FfmpegArgumentsTests;

namespace Vision.Pipeline.Tests.LiveUnits;

/// <summary>The record stream's ffmpeg: stream copy into the ring's numbered segments, progress on stderr.</summary>
public sealed class RecordingProcessTests
{
    private static readonly RecordingRun Run = new(42, "/rec/cam/seg-%010d.ts", "/rec/cam/list-0000000042.csv", "/rec/cam/run-0000000042.anchor");

    [Fact]
    public void The_record_stream_is_copied_into_listed_segments_numbered_from_the_run_and_nothing_is_decoded()
    {
        var args = RecordingProcess.BuildArguments("rtsp://admin:pw@10.0.0.5/main", Run, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        int input = IndexOf(args, "-i", "rtsp://admin:pw@10.0.0.5/main");
        Assert.InRange(IndexOf(args, "-rtsp_transport", "tcp", "-timeout", "5000000"), 0, input - 1);
        Assert.True(IndexOf(args, "-map", "0:v:0", "-c:v", "copy", "-f", "segment", "-segment_time", "2") > input);
        Assert.True(IndexOf(args, "-segment_start_number", "42") > input);
        Assert.True(IndexOf(args, "-segment_list", Run.ListPath, "-segment_list_type", "csv") > input);
        Assert.Equal(Run.Pattern, args[^1]);
        Assert.True(IndexOf(args, "-progress", "pipe:2") >= 0);
        Assert.DoesNotContain("-vf", args);
        Assert.DoesNotContain("rawvideo", args);
        Assert.DoesNotContain("-skip_frame", args);
    }

    [Fact]
    public void A_file_standing_in_for_the_record_stream_is_played_in_real_time_and_looped()
    {
        var args = RecordingProcess.BuildArguments("/srv/footage/main.mp4", Run, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        Assert.InRange(IndexOf(args, "-re", "-stream_loop", "-1"), 0, IndexOf(args, "-i") - 1);
        Assert.DoesNotContain("-rtsp_transport", args);
    }

    [Theory]
    [InlineData("out_time_us=4022344", 4.022344)]
    [InlineData("out_time_us=0", 0)]
    [InlineData("out_time_us=-23220", 0)]
    public void Progress_lines_give_the_stream_time_written(string line, double seconds)
    {
        Assert.True(RecordingProcess.TryParseProgress(line, out var written));
        Assert.Equal(seconds, written.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("out_time_us=N/A")]
    [InlineData("out_time_ms=4022344")]
    [InlineData("frame=101")]
    [InlineData("[rtsp @ 0x55d] method DESCRIBE failed: 401 Unauthorized")]
    public void Other_lines_are_no_progress(string line)
    {
        Assert.False(RecordingProcess.TryParseProgress(line, out _));
    }
}
