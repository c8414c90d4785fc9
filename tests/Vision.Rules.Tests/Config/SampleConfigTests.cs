using Vision.Rules.Config;

namespace Vision.Rules.Tests.Config;

public sealed class SampleConfigTests
{
    private static string SamplePath => Path.Combine(SharedData.ProjectRoot, "samples", "vision.yaml");

    [Fact]
    public void Sample_config_loads_without_errors()
    {
        var config = VisionConfigLoader.Load(SamplePath);

        Assert.InRange(config.Cameras.Count, 3, 4);
        var types = config.Cameras.SelectMany(c => c.Rules).Select(r => r.Type).ToHashSet();
        Assert.Equal([ViolationType.IllegalParking, ViolationType.StreetStall, ViolationType.Litter], types.Order().ToArray());
        Assert.All(config.Cameras, c => Assert.StartsWith("rtsp://", c.Source, StringComparison.Ordinal));
    }

    [Fact]
    public void Zone_editor_sample_loads_its_zones_from_the_zones_file()
    {
        var config = VisionConfigLoader.Load(Path.Combine(SharedData.ProjectRoot, "samples", "zone-editor", "vision.yaml"));

        var camera = Assert.Single(config.Cameras);
        Assert.Equal(Path.Combine(SharedData.ProjectRoot, "samples", "zone-editor", "zones", "bottles.yaml"), camera.ZonesFile);
        Assert.Equal(["table-top"], camera.Zones.Select(z => z.Id));
    }

    [Fact]
    public void Sample_schedules_know_the_2026_national_day_holiday_and_its_make_up_workdays()
    {
        var config = VisionConfigLoader.Load(SamplePath);

        Assert.Contains(config.Schedules.Values, s => s.Holidays.Contains(new DateOnly(2026, 10, 1)));
        Assert.Contains(config.Schedules.Values, s => s.ExtraWorkdays.Contains(new DateOnly(2026, 10, 10)));
    }

    [Fact]
    public void Sample_school_run_is_off_on_national_day_and_on_for_the_make_up_saturday()
    {
        var schoolRun = VisionConfigLoader.Load(SamplePath).Schedules["school_run"];
        var beijing = TimeSpan.FromHours(8);

        Assert.True(schoolRun.IsActive(new DateTimeOffset(2026, 9, 30, 7, 30, 0, beijing)));   // Wednesday
        Assert.False(schoolRun.IsActive(new DateTimeOffset(2026, 10, 1, 7, 30, 0, beijing)));  // 国庆节
        Assert.False(schoolRun.IsActive(new DateTimeOffset(2026, 10, 7, 7, 30, 0, beijing)));
        Assert.True(schoolRun.IsActive(new DateTimeOffset(2026, 10, 10, 7, 30, 0, beijing)));  // Saturday 调休
        Assert.False(schoolRun.IsActive(new DateTimeOffset(2026, 10, 17, 7, 30, 0, beijing))); // ordinary Saturday
    }

    [Fact]
    public void Sample_rule_classes_are_all_known_to_the_coco_model()
    {
        ClassNameCheck.Validate(VisionConfigLoader.Load(SamplePath), ClassNameCheckTests.Coco);
    }

    [Fact]
    public void Truncated_or_garbled_sample_fails_only_with_config_errors()
    {
        // Whatever a user's editor leaves behind, the loader answers with ConfigException, never a parser crash.
        var text = File.ReadAllText(SamplePath);
        var random = new Random(20260101);
        for (int i = 0; i < 400; i++)
        {
            var garbled = (i % 4) switch
            {
                0 => text[..random.Next(text.Length)],
                1 => text.Remove(random.Next(text.Length - 20), random.Next(1, 20)),
                2 => text.Insert(random.Next(text.Length), ((char)"[]{}:,-#\"\t&*!|>'% \n"[random.Next(19)]).ToString()),
                _ => DropLine(text, random),
            };
            try
            {
                VisionConfigLoader.Parse(garbled, "garbled.yaml");
            }
            catch (ConfigException e)
            {
                Assert.All(e.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
            }
        }
    }

    private static string DropLine(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(random.Next(lines.Count));
        return string.Join('\n', lines);
    }
}
