using Vision.Pipeline.Hosting;
using Vision.Pipeline.Evidence;
using Vision.Pipeline.Dispatch;
using Vision.Rules.Config;

namespace Vision.Pipeline.Tests.Hosting;

/// <summary>What makes a config reload hand a camera new rules.</summary>
public sealed class RulesReloadFingerprintTests
{
    private static VisionConfig Config(string rule) => VisionConfigLoader.Parse($"""
        detector:
          model: yolox_nano
        cameras:
          - id: cam-01
            source: rtsp://127.0.0.1:8554/cam-01
            zones:
              - id: kerb
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
            rules:
              - {rule}
        """, "test.yaml");

    private static string Fingerprint(string rule)
    {
        var config = Config(rule);
        return CameraSupervisor.Fingerprint.Rules(config.Cameras[0], config);
    }

    [Fact]
    public void A_changed_dwell_is_a_rules_change_even_with_a_hand_set_version()
    {
        Assert.NotEqual(
            Fingerprint("{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 5s, version: \"3\" }"),
            Fingerprint("{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 600s, version: \"3\" }"));
    }

    [Fact]
    public void The_same_rules_are_no_change()
    {
        const string rule = "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 5s, version: \"3\" }";
        Assert.Equal(Fingerprint(rule), Fingerprint(rule));
    }
}
