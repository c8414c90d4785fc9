using System.Text.Json;
using Vision.Pipeline.Tools.Replay;

namespace Vision.Pipeline.Tests.Replay;

/// <summary>End to end on real footage from ../shared with the real YOLOX-Nano model and Debian's ffmpeg: what cases a replay makes.</summary>
public sealed class ReplayFootageTests
{
    private const string TableZone = "polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]]";

    [SharedDataFact]
    public async Task Each_bottle_standing_alone_becomes_exactly_one_litter_case()
    {
        var result = await ReplayHarness.SharedAsync("bottle-detection");

        Assert.Equal(3, result.Cases.Count);
        Assert.All(result.Cases, c =>
        {
            Assert.Equal("litter", c.GetProperty("violation").GetString());
            Assert.Equal("bottle", c.GetProperty("objects")[0].GetProperty("class").GetString());
        });
        result.AssertNoDuplicateObjects();
        // One case for each of the left, middle and right bottles.
        var thirds = result.Cases.Select(c => (int)(ReplayResult.Box(c).CenterX * 3 / ReplayResult.FrameWidth(c))).OrderBy(t => t);
        Assert.Equal([0, 1, 2], thirds);
    }

    [SharedDataFact]
    public async Task A_bottle_taken_away_and_put_back_restarts_its_unattended_clock()
    {
        // Seen on the clip: a hand takes the left bottle away at 6-13 s and 16-29 s, the middle one at
        // 16.5-24 s and the right one at 30.5-37 s. With a 9 s dwell and a 1 s cooldown, a case whose
        // unattended time spans one of those moments would mean handling counted as unattended.
        var handled = new Dictionary<int, (double From, double To)[]>
        {
            [0] = [(6.0, 12.5), (16.0, 28.5)],
            [1] = [(16.5, 23.5)],
            [2] = [(30.5, 36.5)],
        };
        var result = await ReplayHarness.SharedAsync("bottle-detection", ("dwell: 5s", "dwell: 9s"), ("cooldown: 10m", "cooldown: 1s"));

        Assert.NotEmpty(result.Cases);
        foreach (var c in result.Cases)
        {
            int third = (int)(ReplayResult.Box(c).CenterX * 3 / ReplayResult.FrameWidth(c));
            double started = ReplayResult.Offset(c, "startedAt").TotalSeconds, confirmed = ReplayResult.Offset(c, "confirmedAt").TotalSeconds;
            foreach (var (from, to) in handled[third])
                Assert.False(started < to && confirmed > from,
                    $"bottle {third} case {started:0.0}-{confirmed:0.0} s counts the time it was handled ({from}-{to} s) as unattended");
        }
        // The middle and right bottles stand untouched for 16 and 30 s from the start: each is one case.
        var thirds = result.Cases.Select(c => (int)(ReplayResult.Box(c).CenterX * 3 / ReplayResult.FrameWidth(c))).ToList();
        Assert.Contains(1, thirds);
        Assert.Contains(2, thirds);
    }

    [SharedDataFact]
    public async Task A_clip_with_rotation_metadata_is_analysed_upright_at_its_displayed_size()
    {
        // Phone clips carry a rotation; ffmpeg decodes them upright, so a quarter turn swaps width and height.
        string dir = Directory.CreateTempSubdirectory("vision-rotated-").FullName;
        string rotated = Path.Combine(dir, "rotated.mp4");
        using (var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", ["-v", "error", "-y", "-i", SharedData.Footage("bottle-detection.mp4"), "-t", "6", "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated])!)
        {
            await ffmpeg.WaitForExitAsync();
            Assert.Equal(0, ffmpeg.ExitCode);
        }
        var summary = await ReplayRunner.RunAsync(new ReplayOptions(ReplayHarness.SampleConfig("bottle-detection"), rotated, null, Path.Combine(dir, "out"), ReplayHarness.Start, null),
            null, CancellationToken.None);

        Assert.Equal((360, 640), (summary.FrameWidth, summary.FrameHeight));
        Assert.InRange(summary.Frames, 11, 13);
    }

    [SharedDataFact]
    public async Task Bottles_outside_the_litter_zone_give_no_case()
    {
        var result = await ReplayHarness.RunAsync("bottle-detection", (TableZone, "polygon: [[0.0, 0.0], [1.0, 0.0], [1.0, 0.2], [0.0, 0.2]]"));
        Assert.Empty(result.Cases);
        Assert.True(result.Summary.Frames >= 75, $"only {result.Summary.Frames} frames analysed");
    }

    [SharedDataFact]
    public async Task Each_person_who_stays_at_the_table_longer_than_the_dwell_becomes_one_stall_case()
    {
        // Seen on the clip: six people, one at a time, each at the table for 9-24 s.
        var result = await ReplayHarness.RunAsync("one-by-one-person-detection");

        Assert.Equal(6, result.Cases.Count);
        Assert.All(result.Cases, c => Assert.Equal("street_stall", c.GetProperty("violation").GetString()));
        var starts = result.Cases.Select(c => ReplayResult.Offset(c, "startedAt").TotalSeconds).ToList();
        double[] arrivals = [6, 23, 50, 74, 92, 123];
        for (int i = 0; i < arrivals.Length; i++)
            Assert.InRange(starts[i], arrivals[i] - 1, arrivals[i] + 4);
    }

    [SharedDataFact]
    public async Task Keyframe_only_decoding_at_one_frame_a_second_finds_the_same_six_visitors()
    {
        // This clip has a keyframe every second, so keyframes-only decoding sees every analysed moment.
        var result = await ReplayHarness.RunAsync("one-by-one-person-detection",
            ("analysis: { fps: 2, max_width: 1280 }", "analysis: { fps: 1, max_width: 1280, decode: keyframes }"));
        Assert.Equal(6, result.Cases.Count);
        Assert.InRange(result.Summary.Frames, 130, 141);
    }

    [SharedDataFact]
    public async Task Nobody_stays_longer_than_a_one_minute_dwell()
    {
        var result = await ReplayHarness.RunAsync("one-by-one-person-detection", ("dwell: 8s", "dwell: 60s"));
        Assert.Empty(result.Cases);
    }

    [SharedDataFact]
    public async Task Each_car_parked_along_the_no_parking_kerb_becomes_one_case_despite_flickering_scores()
    {
        var result = await ReplayHarness.SharedAsync("street-parking-hevc");

        // The nano model sees at least five of the cars on that kerb steadily (0.35-0.7); the far-left ones at ~0.1.
        Assert.InRange(result.Cases.Count, 5, 9);
        result.AssertNoDuplicateObjects();
        foreach (var c in result.Cases)
        {
            var box = ReplayResult.Box(c);
            double footY = box.Bottom / ReplayResult.FrameHeight(c);
            Assert.InRange(footY, 0.72, 0.92);
            Assert.Equal("illegal_parking", c.GetProperty("violation").GetString());
            // Parking evidence: the first and last photo at least the dwell apart.
            // Three panoramic photos and the vehicle close-up.
            var photos = c.GetProperty("evidence").GetProperty("photos");
            Assert.Equal(["first_seen", "midway", "confirmation", "closeup"], photos.EnumerateArray().Select(p => p.GetProperty("role").GetString()!));
            var first = DateTimeOffset.Parse(photos[0].GetProperty("takenAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var last = DateTimeOffset.Parse(photos[2].GetProperty("takenAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(last - first >= TimeSpan.FromSeconds(20), $"photos only {(last - first).TotalSeconds} s apart");
        }
    }

    [SharedDataFact]
    public async Task A_no_parking_zone_drawn_on_an_empty_area_gives_no_case()
    {
        var result = await ReplayHarness.RunAsync("street-parking-hevc",
            ("polygon: [[0.0, 0.74], [0.98, 0.74], [0.98, 0.90], [0.0, 0.90]]", "polygon: [[0.30, 0.10], [0.55, 0.10], [0.55, 0.28], [0.30, 0.28]]"));
        Assert.Empty(result.Cases);
    }

    [SharedDataFact]
    public async Task Moving_traffic_in_a_no_parking_zone_on_the_driving_lanes_gives_no_case()
    {
        var result = await ReplayHarness.RunAsync("city-traffic");
        Assert.Empty(result.Cases);
        Assert.True(result.Summary.Frames >= 30, $"only {result.Summary.Frames} frames analysed");
    }
}
