using Vision.Models;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Rules.Tests.Evaluation;

/// <summary>The open episodes a trace video draws clocks for, as <see cref="CameraRuleEvaluator.CopyDwellClocks"/> lends them.</summary>
public sealed class DwellClockTests
{
    private const int Car = 1;
    private static readonly string[] ClassNames = ["person", "car"];
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.FromHours(8));
    private static readonly BoundingBox ParkedBox = new(400, 450, 160, 100);

    [Fact]
    public void An_open_episode_lends_its_start_and_rule_until_it_ends_and_a_confirmed_one_says_so()
    {
        var config = VisionConfigLoader.Parse("""
            detector:
              model: yolox_nano
            cameras:
              - id: cam-01
                zones:
                  - id: kerb
                    polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
                rules:
                  - { id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 10s, cooldown: 30m }
            """, "test.yaml");
        var clock = new FrameClock(Noon);
        var rules = new CameraRuleEvaluator(config.Cameras[0], config.Schedules, ClassNames, clock);
        var events = new List<EpisodeEvent>();
        var clocks = new List<DwellClock>();
        TrackedObject[] parked = [new(7, Car, 0.8f, ParkedBox, Visible: true, Confirmed: true)];

        for (int t = 0; t <= 5; t++)
        {
            clock.Set(Noon + TimeSpan.FromSeconds(t));
            rules.Evaluate(1280, 720, parked, events);
        }
        rules.CopyDwellClocks(clocks);
        var started = Assert.Single(events, e => e.Kind == EpisodeEventKind.Started);
        var open = Assert.Single(clocks);
        Assert.Equal((started.EpisodeId, "parking", "kerb", 7, started.StartedAt, false), (open.EpisodeId, open.Rule.Id, open.ZoneId, open.TrackId, open.StartedAt, open.Confirmed));
        Assert.Equal(TimeSpan.FromSeconds(10), open.Rule.Dwell);

        for (int t = 6; t <= 12; t++)
        {
            clock.Set(Noon + TimeSpan.FromSeconds(t));
            rules.Evaluate(1280, 720, parked, events);
        }
        rules.CopyDwellClocks(clocks);
        Assert.Contains(events, e => e.Kind == EpisodeEventKind.Confirmed);
        Assert.True(Assert.Single(clocks).Confirmed);

        clock.Set(Noon + TimeSpan.FromSeconds(13));
        rules.Evaluate(1280, 720, [], events);
        rules.CopyDwellClocks(clocks);
        Assert.Empty(clocks);
    }
}
