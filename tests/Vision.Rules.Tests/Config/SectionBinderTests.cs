using Vision.Rules.Config;

namespace Vision.Rules.Tests.Config;

/// <summary>The binder fills each section's record from the declarations: every member has a key, every key a member.</summary>
public class SectionBinderTests
{
    [Theory]
    [InlineData("LostTimeout", "lost_timeout")]
    [InlineData("Fps", "fps")]
    [InlineData("MaxBytesPerCamera", "max_bytes_per_camera")]
    public void Members_and_keys_name_each_other(string member, string key)
    {
        Assert.Equal(key, SectionBinder.KeyOf(member));
        Assert.Equal(member, SectionBinder.MemberOf(key));
    }

    [Fact]
    public void A_config_without_the_sections_gets_every_declared_default()
    {
        var config = ConfigTestText.Parse(ConfigTestText.Minimal);

        Assert.Equal(ConfigSchema.Tracker.LostTimeout.Default, config.Tracker.LostTimeout);
        Assert.Equal(ConfigSchema.Tracker.ConfirmHits.Default, config.Tracker.ConfirmHits);
        Assert.Equal(ConfigSchema.Evidence.SpoolMaxBytes.Default, config.Evidence.SpoolMaxBytes);
        Assert.Equal(ConfigSchema.Evidence.JpegQuality.Default, config.Evidence.JpegQuality);
        Assert.Equal(ConfigSchema.Live.FramesPerCamera.Default, config.Live.FramesPerCamera);
        Assert.Equal(ConfigSchema.Recording.MaxBytesPerCamera.Default, config.Recording.MaxBytesPerCamera);
        Assert.Equal(ConfigSchema.Console.SessionLifetime.Default, config.Console.SessionLifetime);
        Assert.Equal(ConfigSchema.Detector.MaxBatchWait.Default, config.Detector.MaxBatchWait);
        Assert.Equal(ConfigSchema.Analysis.Fps.Default, config.Cameras[0].Analysis.Fps);
    }

    [Fact]
    public void Written_values_reach_constructor_parameters_and_init_properties()
    {
        var config = ConfigTestText.Parse("""
            evidence: { directory: spool, spool_max_bytes: 1e9, jpeg_quality: 70 }
            tracker: { lost_timeout: 45s }
            detector:
              model: yolox_nano
            cameras:
              - id: cam-01
                analysis: { fps: 2, fast_decode: true, tiles: { grid: 3x2, overlap: 0.25 } }
                zones:
                  - id: kerb
                    polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
                rules:
                  - id: parking
                    type: illegal_parking
                    zones: [kerb]
            """);

        Assert.Equal("spool", config.Evidence.Directory);
        Assert.Equal(1_000_000_000L, config.Evidence.SpoolMaxBytes);
        Assert.Equal(70, config.Evidence.JpegQuality);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Tracker.LostTimeout);
        var analysis = config.Cameras[0].Analysis;
        Assert.Equal(2, analysis.Fps);
        Assert.True(analysis.FastDecode);
        Assert.Equal((3, 2, 0.25f, TileArea.Zones), (analysis.Tiles!.Columns, analysis.Tiles.Rows, analysis.Tiles.Overlap, analysis.Tiles.Area));
    }

    private sealed record Declared(int Capacity, TimeSpan Lease, TimeSpan Heartbeat);

    private sealed record MissingKey(int Capacity, TimeSpan Lease, TimeSpan Heartbeat, int Spare);

    private sealed record UncarriedKey(int Capacity, TimeSpan Lease);

    [Fact]
    public void A_record_member_without_a_declaration_or_a_declaration_without_a_member_is_refused()
    {
        Assert.Equal(ConfigSchema.Cluster.Lease.Default, SectionBinder.Defaults<Declared>(ConfigSchema.Cluster.Section).Lease);

        var missing = Assert.Throws<InvalidOperationException>(() => SectionBinder.Defaults<MissingKey>(ConfigSchema.Cluster.Section));
        Assert.Contains("MissingKey.Spare has no key 'spare'", missing.Message, StringComparison.Ordinal);
        var uncarried = Assert.Throws<InvalidOperationException>(() => SectionBinder.Defaults<UncarriedKey>(ConfigSchema.Cluster.Section));
        Assert.Contains("'heartbeat'", uncarried.Message, StringComparison.Ordinal);
    }
}
