using Vision.Pipeline.Detect.NewObjects;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.NewObjects;

public sealed class NewObjectOptionsTests
{
    [Fact]
    public void A_cameras_timing_replaces_only_the_times_it_sets()
    {
        var options = NewObjectOptions.For(new NewObjectsConfig { StayTime = TimeSpan.FromMinutes(5), AbsorbAfter = TimeSpan.FromDays(1) });

        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)), (options.StayTime, options.LearnTime, options.AbsorbAfter));
        Assert.Equal(NewObjectOptions.Default with { StayTime = options.StayTime, AbsorbAfter = options.AbsorbAfter }, options);
        Assert.Same(NewObjectOptions.Default, NewObjectOptions.For(NewObjectsConfig.Default));
        Assert.Equal(NewObjectsConfig.Default.StayTime, NewObjectOptions.Default.StayTime);
    }
}
