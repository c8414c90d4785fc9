using Vision.Rules.Config;
using static Vision.Rules.Tests.Config.ConfigTestText;

namespace Vision.Rules.Tests.Config;

public sealed class NewObjectsConfigTests
{
    [Fact]
    public void A_camera_takes_the_default_timing_unless_its_analysis_sets_it()
    {
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1), TimeSpan.FromHours(2)), Timing(Parse(Minimal)));

        var config = Parse(Minimal + "    analysis: { new_objects: { stay_time: 5m, absorb_after: 1d } }\n");

        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)), Timing(config));
    }

    [Theory]
    [InlineData("stay_time: 5s", "cameras[0].analysis.new_objects.stay_time", "stay_time must be between 10s and 1h, got 5s")]
    [InlineData("stay_time: 50m, absorb_after: 30m", "cameras[0].analysis.new_objects.absorb_after", "absorb_after (30m) must be longer than stay_time (50m)")]
    [InlineData("stay_tme: 3m", "cameras[0].analysis.new_objects.stay_tme", "did you mean 'stay_time'")]
    public void Timing_out_of_range_or_misspelt_is_one_error_at_its_key(string written, string keyPath, string fragment)
    {
        SingleError(Minimal + $"    analysis: {{ new_objects: {{ {written} }} }}\n", AppendedLine, keyPath, fragment);
    }

    private static (TimeSpan, TimeSpan, TimeSpan) Timing(VisionConfig config)
    {
        var timing = config.Cameras[0].Analysis.NewObjects;
        return (timing.StayTime, timing.LearnTime, timing.AbsorbAfter);
    }
}
