using Vision.Pipeline.Evidence;

namespace Vision.Pipeline.Tests.Plates;

/// <summary>Turnover and duplicates by plate: the same vehicle is one case, a different one in a reported spot is a new case.</summary>
public sealed class PlateTurnoverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(30);

    [Fact]
    public void A_different_plate_in_a_reported_spot_is_a_new_case()
    {
        var plates = new PlateTurnover();
        plates.Raised("cam-1", "parking", "京A12345", "case-1", T0);

        var next = plates.Decide("cam-1", "parking", "京B67890", T0.AddMinutes(8), Cooldown, sameSpotReportedAt: T0);

        Assert.True(next.Raise);
    }

    [Fact]
    public void The_same_plate_within_the_cooldown_is_the_case_already_raised_in_the_same_spot_or_another()
    {
        var plates = new PlateTurnover();
        plates.Raised("cam-1", "parking", "京A12345", "case-1", T0);

        var sameSpot = plates.Decide("cam-1", "parking", "京A12345", T0.AddMinutes(8), Cooldown, sameSpotReportedAt: T0);
        Assert.Equal((false, "case-1"), (sameSpot.Raise, sameSpot.SameAs));

        var movedAlong = plates.Decide("cam-1", "parking", "京A12345", T0.AddMinutes(25), Cooldown, sameSpotReportedAt: null);
        Assert.Equal((false, "case-1"), (movedAlong.Raise, movedAlong.SameAs));
    }

    [Fact]
    public void A_vehicle_that_stood_for_hours_is_still_its_first_case_when_found_again_in_its_spot()
    {
        var plates = new PlateTurnover();
        plates.Raised("cam-1", "parking", "京A12345", "case-1", T0);

        var refound = plates.Decide("cam-1", "parking", "京A12345", T0.AddHours(3), Cooldown, sameSpotReportedAt: T0);

        Assert.False(refound.Raise);
    }

    [Fact]
    public void The_same_plate_after_the_cooldown_or_on_another_camera_or_rule_is_a_new_case()
    {
        var plates = new PlateTurnover();
        plates.Raised("cam-1", "parking", "京A12345", "case-1", T0);

        Assert.True(plates.Decide("cam-1", "parking", "京A12345", T0.AddMinutes(31), Cooldown, sameSpotReportedAt: null).Raise);
        Assert.True(plates.Decide("cam-2", "parking", "京A12345", T0.AddMinutes(5), Cooldown, sameSpotReportedAt: null).Raise);
        Assert.True(plates.Decide("cam-1", "bus-lane", "京A12345", T0.AddMinutes(5), Cooldown, sameSpotReportedAt: null).Raise);
    }

    [Fact]
    public void A_case_retried_after_a_full_disk_decides_again_and_still_stands()
    {
        var plates = new PlateTurnover();
        Assert.True(plates.Decide("cam-1", "parking", "京A12345", T0, Cooldown, sameSpotReportedAt: null, caseId: "case-1").Raise);

        Assert.True(plates.Decide("cam-1", "parking", "京A12345", T0, Cooldown, sameSpotReportedAt: null, caseId: "case-1").Raise);
        Assert.Equal("case-1", plates.Decide("cam-1", "parking", "京A12345", T0.AddMinutes(3), Cooldown, sameSpotReportedAt: null, caseId: "case-2").SameAs);
    }

    [Fact]
    public void A_case_given_up_before_it_was_written_blocks_nothing()
    {
        var plates = new PlateTurnover();
        Assert.True(plates.Decide("cam-1", "parking", "京A12345", T0, Cooldown, sameSpotReportedAt: null, caseId: "case-1").Raise);
        plates.Forget("case-1");

        Assert.True(plates.Decide("cam-1", "parking", "京A12345", T0.AddMinutes(3), Cooldown, sameSpotReportedAt: null, caseId: "case-2").Raise);
    }

    [Fact]
    public void An_unreadable_plate_raises_a_case_in_a_free_spot_and_nothing_in_a_reported_one()
    {
        var plates = new PlateTurnover();

        Assert.True(plates.Decide("cam-1", "parking", null, T0, Cooldown, sameSpotReportedAt: null).Raise);
        var blocked = plates.Decide("cam-1", "parking", null, T0.AddMinutes(5), Cooldown, sameSpotReportedAt: T0);
        Assert.False(blocked.Raise);
        Assert.Contains("not legible", blocked.Reason);
    }
}
