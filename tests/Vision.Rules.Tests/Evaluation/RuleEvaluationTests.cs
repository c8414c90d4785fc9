using Vision.Models;
using Vision.Rules.Config;
using Vision.Rules.Evaluation;

namespace Vision.Rules.Tests.Evaluation;

public sealed class RuleEvaluationTests
{
    private const int Person = 0, Car = 1, Bottle = 2, Truck = 3, Table = 5;
    private static readonly string[] ClassNames = ["person", "car", "bottle", "truck", "bus", "dining table"];

    private const int Width = 1280, Height = 720;
    /// <summary>Kerb zone: the bottom 40% of the frame between 10% and 90% of its width (y ≥ 432 px).</summary>
    private const float KerbTop = 432;

    /// <summary>12:00 in Shanghai.</summary>
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.FromHours(8));

    private const string Parking = "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m }";

    /// <summary>A car 160×100 px whose bottom centre (480, 550) is well inside the kerb zone.</summary>
    private static readonly BoundingBox ParkedBox = new(400, 450, 160, 100);

    private static TrackedObject Seen(int trackId, int classId, BoundingBox box, float score = 0.8f) =>
        new(trackId, classId, score, box, Visible: true, Confirmed: true);

    private static TrackedObject Coasting(int trackId, int classId, BoundingBox box, float score = 0.8f) =>
        new(trackId, classId, score, box, Visible: false, Confirmed: true);

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>An object must be seen holding still on two frames before its episode starts: at 1 fps, one second after it first appears.</summary>
    private static readonly TimeSpan Settle = S(1);

    [Fact]
    public void Parked_car_in_no_parking_zone_becomes_one_case_after_dwell()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
        var started = street.Events[0];
        var midway = street.Events[1];
        var confirmed = street.Events[2];
        Assert.Equal(Noon + Settle, started.At);
        Assert.Equal(Noon + Settle, started.StartedAt);
        Assert.Equal(Noon + Settle + S(90), midway.At);
        Assert.Equal(Noon + Settle, confirmed.StartedAt);
        Assert.Equal(Noon + Settle + S(180), confirmed.At);
        Assert.Equal(TimeSpan.FromMinutes(3), confirmed.At - confirmed.StartedAt);
        Assert.True(confirmed.WasConfirmed);
        Assert.All(street.Events, e =>
        {
            Assert.Equal(started.EpisodeId, e.EpisodeId);
            Assert.Equal(1, e.TrackId);
            Assert.Equal("parking", e.Rule.Id);
            Assert.Equal("kerb", e.ZoneId);
        });
    }

    [Fact]
    public void Car_that_stays_an_hour_raises_one_case()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 3600, t => [Seen(1, Car, Jitter(ParkedBox, t))]);
        street.At(3600);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed, EpisodeEventKind.Ended], street.Kinds());
        var ended = street.Events[^1];
        Assert.True(ended.WasConfirmed);
        Assert.Equal(Noon + S(3600), ended.At);
    }

    [Fact]
    public void Car_that_stays_an_hour_raises_one_case_even_with_zero_cooldown()
    {
        var street = new Street(Noon, "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 0 }");
        street.Run(0, 3600, _ => [Seen(1, Car, ParkedBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
    }

    [Fact]
    public void Same_car_reappearing_under_a_new_track_id_within_cooldown_raises_no_second_case()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        street.Run(200, 300, _ => []);
        var shifted = ParkedBox with { X = ParkedBox.X + 6, Y = ParkedBox.Y - 3 };
        street.Run(300, 900, _ => [Seen(7, Car, shifted)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed, EpisodeEventKind.Ended], street.Kinds());
        Assert.All(street.Events, e => Assert.Equal(1, e.TrackId));
    }

    [Fact]
    public void New_track_id_seen_while_the_reported_car_is_still_coasting_raises_no_second_case()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        // The tracker lost the car and found it again under a new id while the old id coasts.
        street.Run(200, 230, _ => [Coasting(1, Car, ParkedBox), Seen(2, Car, ParkedBox)]);
        street.Run(230, 600, _ => [Seen(2, Car, ParkedBox)]);

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.DoesNotContain(street.Events, e => e.TrackId == 2);
    }

    [Fact]
    public void New_car_at_a_spot_empty_longer_than_cooldown_raises_a_new_case()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        // Last occupied at 199 s; empty for 31 minutes, looked at every 10 s.
        for (int t = 200; t < 199 + 31 * 60; t += 10) street.At(t);
        int arrival = 199 + 31 * 60;
        street.Run(arrival, arrival + 200, _ => [Seen(2, Car, ParkedBox)]);

        var confirmed = street.Of(EpisodeEventKind.Confirmed);
        Assert.Equal(2, confirmed.Count);
        Assert.Equal(2, confirmed[1].TrackId);
        Assert.Equal(Noon + S(arrival) + Settle, confirmed[1].StartedAt);
        Assert.Equal(Noon + S(arrival + 180) + Settle, confirmed[1].At);
        Assert.NotEqual(confirmed[0].EpisodeId, confirmed[1].EpisodeId);
    }

    [Fact]
    public void Spot_kept_occupied_by_one_car_after_another_raises_no_new_case_until_it_is_clear_for_cooldown()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        // 20 minutes gap, a second car for 20 minutes, 20 minutes gap: each gap is shorter than the cooldown.
        street.Run(1400, 2600, _ => [Seen(2, Car, ParkedBox)]);
        street.Run(3800, 4100, _ => [Seen(3, Car, ParkedBox)]);

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.DoesNotContain(street.Events, e => e.TrackId != 1);
    }

    [Fact]
    public void With_plates_a_second_car_in_a_reported_spot_is_confirmed_for_the_plate_check_naming_the_spot_case()
    {
        var street = Street.WithPlates(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        // The first car leaves; another parks in the same place 5 minutes later, well within the 30 min cooldown.
        street.Run(500, 700, _ => [Seen(2, Car, ParkedBox)]);

        var confirmed = street.Of(EpisodeEventKind.Confirmed);
        Assert.Equal([1, 2], confirmed.Select(e => e.TrackId));
        Assert.Null(confirmed[0].SameSpotReportedAt);
        Assert.Equal(confirmed[0].At, confirmed[1].SameSpotReportedAt);
        Assert.Equal(Noon + S(500) + Settle, confirmed[1].StartedAt);
    }

    [Fact]
    public void With_plates_a_car_parked_for_hours_and_found_again_and_again_is_always_compared_with_its_first_case()
    {
        var street = Street.WithPlates(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        // The tracker loses the car twice; the second time the first case's own spot has long expired (30 min cooldown).
        street.Run(200, 2400, _ => [Seen(2, Car, ParkedBox)]);
        street.Run(2400, 2700, _ => [Seen(3, Car, ParkedBox)]);

        var confirmed = street.Of(EpisodeEventKind.Confirmed);
        Assert.Equal([1, 2, 3], confirmed.Select(e => e.TrackId));
        Assert.All(confirmed.Skip(1), e => Assert.Equal(confirmed[0].At, e.SameSpotReportedAt));
    }

    [Fact]
    public void With_plates_the_same_track_back_in_its_spot_is_still_the_same_case()
    {
        var street = Street.WithPlates(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        street.Run(200, 210, _ => [Seen(1, Car, ParkedBox with { Y = 100 })]);   // pulls out of the zone
        street.Run(210, 600, _ => [Seen(1, Car, ParkedBox)]);                   // and back

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Without_plates_a_second_car_in_a_reported_spot_stays_blocked_for_the_cooldown()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        street.Run(500, 700, _ => [Seen(2, Car, ParkedBox)]);

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Plates_leave_other_violation_types_blocked_by_their_spot()
    {
        var street = Street.WithPlates(Noon, "{ id: stall, type: street_stall, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m }");
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        street.Run(500, 700, _ => [Seen(2, Car, ParkedBox)]);

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Car_parked_outside_the_zone_raises_nothing()
    {
        var street = new Street(Noon, Parking);
        var onTheRoad = ParkedBox with { Y = 200 }; // bottom at 300 px, above the kerb
        street.Run(0, 400, _ => [Seen(1, Car, onTheRoad)]);

        Assert.Empty(street.Events);
    }

    [Fact]
    public void Car_crawling_along_the_kerb_is_never_confirmed()
    {
        var street = new Street(Noon, Parking);
        // 4 px/s for 200 s: always inside the zone, never still for long. The stationary limit is 0.15 × 160 = 24 px.
        street.Run(0, 200, t => [Seen(1, Car, ParkedBox with { X = 100 + 4 * t })]);

        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
        Assert.Empty(street.Of(EpisodeEventKind.Midway));
    }

    [Fact]
    public void Car_seen_in_less_than_half_the_frames_is_not_confirmed()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 400, t => [t % 3 == 0 ? Seen(1, Car, ParkedBox) : Coasting(1, Car, ParkedBox)]);

        Assert.NotEmpty(street.Of(EpisodeEventKind.Started));
        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Car_seen_in_two_thirds_of_the_frames_is_confirmed_after_dwell()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, t => [t % 3 == 2 ? Coasting(1, Car, ParkedBox) : Seen(1, Car, ParkedBox)]);

        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(Noon + Settle + S(180), confirmed.At);
    }

    [Fact]
    public void Anchor_flickering_across_the_zone_boundary_for_one_frame_does_not_end_the_episode()
    {
        var street = new Street(Noon, Parking);
        var onKerb = ParkedBox with { Y = KerbTop + 8 - ParkedBox.Height };   // bottom 8 px inside
        var offKerb = ParkedBox with { Y = KerbTop - 4 - ParkedBox.Height };  // bottom 4 px outside
        street.Run(0, 200, t => [Seen(1, Car, t is 60 or 120 ? offKerb : onKerb)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
        Assert.Equal(Noon + Settle + S(180), street.Events[2].At);
    }

    [Fact]
    public void Anchor_outside_the_zone_for_two_frames_ends_the_episode()
    {
        var street = new Street(Noon, Parking);
        var onKerb = ParkedBox with { Y = KerbTop + 8 - ParkedBox.Height };
        var offKerb = ParkedBox with { Y = KerbTop - 4 - ParkedBox.Height };
        street.Run(0, 200, t => [Seen(1, Car, t is 60 or 61 ? offKerb : onKerb)]);

        Assert.Equal(EpisodeEventKind.Ended, street.Events[1].Kind);
        Assert.Equal(Noon + S(61), street.Events[1].At);
        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
    }

    private const string Litter = "{ id: litter, type: litter, zones: [kerb], classes: [bottle], near_classes: [person], dwell: 2m }";
    /// <summary>A bottle 20×40 px centred at (610, 520); "near" reaches 1.5 × 40 = 60 px around it.</summary>
    private static readonly BoundingBox BottleBox = new(600, 500, 20, 40);
    private static readonly BoundingBox PersonByBottle = new(630, 420, 50, 150);

    [Fact]
    public void Litter_with_a_person_next_to_it_counts_only_from_when_the_person_leaves()
    {
        var street = new Street(Noon, Litter);
        street.Run(0, 60, _ => [Seen(1, Bottle, BottleBox), Seen(2, Person, PersonByBottle)]);
        street.Run(60, 200, _ => [Seen(1, Bottle, BottleBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
        Assert.Equal(Noon + S(60), street.Events[0].At);
        var confirmed = street.Events[2];
        Assert.Equal(Noon + S(60), confirmed.StartedAt);
        Assert.Equal(Noon + S(180), confirmed.At);
    }

    [Fact]
    public void Person_returning_to_stay_with_litter_restarts_its_clock()
    {
        var street = new Street(Noon, Litter);
        street.Run(0, 100, _ => [Seen(1, Bottle, BottleBox)]);
        street.Run(100, 130, _ => [Seen(1, Bottle, BottleBox), Seen(2, Person, PersonByBottle)]);
        street.Run(130, 300, _ => [Seen(1, Bottle, BottleBox)]);

        Assert.Equal(
            [EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Ended, EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed],
            street.Kinds());
        // The person has stayed attend_time (10 s by default) at 110 s: from then on the litter is attended.
        Assert.Equal(Noon + S(110), street.Events[2].At);
        var confirmed = street.Events[^1];
        Assert.Equal(Noon + S(130), confirmed.StartedAt);
        Assert.Equal(Noon + S(250), confirmed.At);
    }

    [Fact]
    public void Passers_by_do_not_restart_the_clock_of_litter()
    {
        var street = new Street(Noon, Litter);
        // Every 20 s someone walks past, beside the bottle for three frames.
        street.Run(0, 200, t => t % 20 is >= 10 and < 13
            ? [Seen(1, Bottle, BottleBox), Seen(100 + t / 20, Person, PersonByBottle)]
            : [Seen(1, Bottle, BottleBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
        var confirmed = street.Events[^1];
        Assert.Equal(Noon + Settle, confirmed.StartedAt);
        Assert.Equal(Noon + Settle + S(120), confirmed.At);
    }

    [Fact]
    public void A_left_object_whose_class_flickers_out_of_the_rule_is_one_object()
    {
        var street = new Street(Noon, Litter);
        // The detector calls it a truck one frame in four (a class the rule does not judge); the tracker keeps its id.
        street.Run(0, 200, t => [Seen(1, t % 4 == 3 ? Truck : Bottle, BottleBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed], street.Kinds());
        Assert.Equal(Noon + Settle, street.Events[^1].StartedAt);
    }

    [Fact]
    public void Litter_with_a_person_far_away_counts_from_the_start()
    {
        var street = new Street(Noon, Litter);
        street.Run(0, 200, _ => [Seen(1, Bottle, BottleBox), Seen(2, Person, new BoundingBox(150, 420, 50, 150))]);

        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(Noon + Settle, confirmed.StartedAt);
        Assert.Equal(Noon + Settle + S(120), confirmed.At);
    }

    private const string Stall = "{ id: stall, type: street_stall, zones: [kerb], near_classes: [dining table], dwell: 5m }";
    private static readonly BoundingBox Vendor = new(600, 400, 50, 140);

    [Fact]
    public void Vendor_next_to_a_table_becomes_a_street_stall_case_after_dwell()
    {
        var street = new Street(Noon, Stall);
        street.Run(0, 400, _ => [Seen(1, Person, Vendor), Seen(2, Table, new BoundingBox(660, 470, 120, 60))]);

        // The vendor counts once they have stayed beside the table attend_time (10 s by default).
        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(1, confirmed.TrackId);
        Assert.Equal(Noon + S(10), confirmed.StartedAt);
        Assert.Equal(Noon + S(310), confirmed.At);
    }

    [Fact]
    public void Person_standing_without_a_table_is_not_a_street_stall()
    {
        var street = new Street(Noon, Stall);
        street.Run(0, 400, _ => [Seen(1, Person, Vendor)]);

        Assert.Empty(street.Events);
    }

    private const string MorningSchedule = "{ morning: { timezone: Asia/Shanghai, times: [\"07:00-09:00\"] } }";
    private const string MorningParking = "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, schedule: morning }";

    [Fact]
    public void Car_parked_outside_the_schedule_raises_nothing()
    {
        var street = Street.Scheduled(Noon, MorningSchedule, MorningParking);
        street.Run(0, 600, _ => [Seen(1, Car, ParkedBox)]);

        Assert.Empty(street.Events);
    }

    [Fact]
    public void Car_parked_before_the_schedule_starts_is_counted_from_the_schedule_start()
    {
        var sevenLocal = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var street = Street.Scheduled(sevenLocal - TimeSpan.FromMinutes(5), MorningSchedule, MorningParking);
        street.Run(0, 600, _ => [Seen(1, Car, ParkedBox)]);

        var started = Assert.Single(street.Of(EpisodeEventKind.Started));
        Assert.Equal(sevenLocal, started.At);
        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(sevenLocal, confirmed.StartedAt);
        Assert.Equal(sevenLocal + TimeSpan.FromMinutes(3), confirmed.At);
    }

    [Fact]
    public void Episode_ends_when_the_schedule_window_closes()
    {
        var nineLocal = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));
        var street = Street.Scheduled(nineLocal - TimeSpan.FromMinutes(10), MorningSchedule, MorningParking);
        street.Run(0, 900, _ => [Seen(1, Car, ParkedBox)]);

        Assert.Equal([EpisodeEventKind.Started, EpisodeEventKind.Midway, EpisodeEventKind.Confirmed, EpisodeEventKind.Ended], street.Kinds());
        Assert.Equal(nineLocal, street.Events[^1].At);
    }

    [Theory]
    [InlineData(0.45f, false)]
    [InlineData(0.5f, true)]
    [InlineData(0.55f, true)]
    public void Car_scored_below_min_confidence_raises_no_case(float score, bool expectCase)
    {
        var street = new Street(Noon, "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, min_confidence: 0.5 }");
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox, score)]);

        Assert.Equal(expectCase ? 1 : 0, street.Of(EpisodeEventKind.Confirmed).Count);
        if (!expectCase) Assert.Empty(street.Events);
    }

    [Theory]
    [InlineData(60, false)]   // 160×60: smaller side under 0.1 × 720 = 72 px
    [InlineData(72, true)]
    [InlineData(100, true)]
    public void Car_smaller_than_min_box_size_raises_no_case(int height, bool expectCase)
    {
        var street = new Street(Noon, "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, min_box_size: 0.1 }");
        street.Run(0, 200, _ => [Seen(1, Car, new BoundingBox(400, 550 - height, 160, height))]);

        Assert.Equal(expectCase ? 1 : 0, street.Of(EpisodeEventKind.Confirmed).Count);
        if (!expectCase) Assert.Empty(street.Events);
    }

    [Fact]
    public void Unconfirmed_track_raises_no_case()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 200, _ => [new TrackedObject(1, Car, 0.8f, ParkedBox, Visible: true, Confirmed: false)]);

        Assert.Empty(street.Events);
    }

    [Fact]
    public void Two_rules_on_one_camera_each_raise_their_own_case_for_the_same_car()
    {
        var street = new Street(Noon,
            "{ id: parking-quick, type: illegal_parking, zones: [kerb], classes: [car], dwell: 1m }",
            "{ id: parking-slow, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m }");
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);

        var confirmed = street.Of(EpisodeEventKind.Confirmed);
        Assert.Equal(2, confirmed.Count);
        Assert.Equal("parking-quick", confirmed[0].Rule.Id);
        Assert.Equal(Noon + Settle + S(60), confirmed[0].At);
        Assert.Equal("parking-slow", confirmed[1].Rule.Id);
        Assert.Equal(Noon + Settle + S(180), confirmed[1].At);
        Assert.NotEqual(confirmed[0].EpisodeId, confirmed[1].EpisodeId);
    }

    [Fact]
    public void Parking_and_litter_rules_on_one_camera_each_raise_their_own_case()
    {
        var street = new Street(Noon, Parking, Litter);
        var bottleAway = BottleBox with { X = 900 };
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox), Seen(2, Bottle, bottleAway)]);

        var confirmed = street.Of(EpisodeEventKind.Confirmed);
        Assert.Equal(2, confirmed.Count);
        Assert.Equal(("litter", 2), (confirmed[0].Rule.Id, confirmed[0].TrackId));
        Assert.Equal(("parking", 1), (confirmed[1].Rule.Id, confirmed[1].TrackId));
    }

    [Fact]
    public void Episode_ids_are_the_same_when_the_same_frames_are_evaluated_again()
    {
        var first = BusyKerb();
        var second = BusyKerb();

        Assert.True(first.Select(e => e.EpisodeId).Distinct().Count() >= 3, "the scene should produce several episodes");
        Assert.Equal(first, second);
    }

    private static List<(EpisodeEventKind Kind, long EpisodeId, string RuleId, int TrackId, DateTimeOffset StartedAt, DateTimeOffset At)> BusyKerb()
    {
        var street = new Street(Noon, Parking, Litter);
        var second = new BoundingBox(800, 460, 150, 90);
        street.Run(0, 600, t =>
        {
            var objects = new List<TrackedObject> { Seen(1, Car, Jitter(ParkedBox, t)) };
            if (t is >= 100 and < 400) objects.Add(t % 4 == 0 ? Coasting(2, Car, second) : Seen(2, Car, second));
            if (t is >= 150) objects.Add(Seen(3, Bottle, BottleBox with { X = 250 }));
            if (t is >= 200 and < 230) objects.Add(Seen(4, Person, new BoundingBox(270, 420, 50, 150)));
            if (t is >= 420) objects.Add(Seen(5, Car, second with { X = 803 }));
            return [.. objects];
        });
        return street.Events.Select(e => (e.Kind, e.EpisodeId, e.Rule.Id, e.TrackId, e.StartedAt, e.At)).ToList();
    }

    /// <summary>Detector jitter of up to 2 px in a fixed pattern.</summary>
    private static BoundingBox Jitter(BoundingBox box, int t) =>
        box with { X = box.X + (t % 3 - 1) * 2, Y = box.Y + (t % 5 % 3 - 1) * 2 };

    /// <summary>One camera with a kerb zone and the given rules, evaluated at 1 fps from <c>start</c>.</summary>
    [Fact]
    public void Renaming_a_rule_after_its_case_raises_nothing_again()
    {
        var street = new Street(Noon, "{ id: parking, name: 近侧禁停, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m }");
        street.Run(0, 200, _ => [Seen(1, Car, ParkedBox)]);
        Assert.Single(street.Of(EpisodeEventKind.Confirmed));

        street.Edit("{ id: parking-kerb, name: 路缘禁停, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m }");
        // The same car, and then the tracker losing it and finding it again under a new id.
        street.Run(200, 600, _ => [Seen(1, Car, ParkedBox)]);
        street.Run(600, 1200, _ => [Seen(7, Car, Jitter(ParkedBox, 3))]);

        Assert.Single(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Longer_dwell_applies_to_an_episode_already_open_from_its_real_start()
    {
        var street = new Street(Noon, "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m, version: \"2\" }");
        street.Run(0, 60, _ => [Seen(1, Car, ParkedBox)]);
        street.Edit("{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 10m, cooldown: 30m, version: \"2\" }");
        street.Run(60, 700, _ => [Seen(1, Car, ParkedBox)]);

        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(Noon + Settle, confirmed.StartedAt);
        Assert.Equal(Noon + Settle + TimeSpan.FromMinutes(10), confirmed.At);
    }

    [Fact]
    public void A_rule_removed_by_an_edit_ends_its_open_episodes()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 60, _ => [Seen(1, Car, ParkedBox)]);
        street.Edit("{ id: litter, type: litter, zones: [kerb], classes: [bottle], dwell: 1m }");
        street.Run(60, 400, _ => [Seen(1, Car, ParkedBox)]);

        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
    }

    /// <summary>The parking rule (min_confidence 0.3); its hold defaults to the tracker's low score, 0.1.</summary>
    private static TrackedObject Scored(int second, float good, float dip, Func<int, bool> dips) =>
        Seen(1, Car, ParkedBox, dips(second) ? dip : good);

    [Fact]
    public void Flickering_car_whose_score_dips_below_min_confidence_keeps_its_dwell_and_is_confirmed()
    {
        var street = new Street(Noon, Parking);
        // Every third frame the detector scores it 0.2: below min_confidence, above the hold.
        street.Run(0, 200, t => [Scored(t, 0.5f, 0.2f, s => s > 1 && s % 3 == 0)]);

        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(Noon + Settle, confirmed.StartedAt);
        Assert.Equal(TimeSpan.FromMinutes(3), confirmed.At - confirmed.StartedAt);
        Assert.Empty(street.Of(EpisodeEventKind.Ended));
    }

    [Fact]
    public void Flickering_car_with_the_hold_off_restarts_its_dwell_at_every_dip()
    {
        var street = new Street(Noon, "{ id: parking, type: illegal_parking, zones: [kerb], classes: [car], dwell: 3m, cooldown: 30m, hold_confidence: 0.3 }");
        street.Run(0, 200, t => [Scored(t, 0.5f, 0.2f, s => s > 1 && s % 3 == 0)]);

        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Car_scored_low_for_longer_than_the_unseen_limits_ends_its_episode_and_starts_again()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 60, _ => [Seen(1, Car, ParkedBox, 0.5f)]);
        street.Run(60, 70, _ => [Seen(1, Car, ParkedBox, 0.2f)]);
        street.Run(70, 300, _ => [Seen(1, Car, ParkedBox, 0.5f)]);

        var ended = street.Of(EpisodeEventKind.Ended);
        // Last seen well at 59 s; the fifth low frame (64 s) is past both limits (4 frames, 4 s).
        Assert.Equal(Noon + S(64), Assert.Single(ended).At);
        var confirmed = Assert.Single(street.Of(EpisodeEventKind.Confirmed));
        Assert.Equal(Noon + S(70), confirmed.StartedAt);
    }

    [Fact]
    public void Car_seen_mostly_below_min_confidence_is_never_confirmed()
    {
        var street = new Street(Noon, Parking);
        // Two frames in three at 0.2: dips never last past the unseen limits, but it is seen well in a third of the frames only.
        street.Run(0, 900, t => [Scored(t, 0.5f, 0.2f, s => s > 1 && s % 3 != 0)]);

        Assert.NotEmpty(street.Of(EpisodeEventKind.Started));
        Assert.Empty(street.Of(EpisodeEventKind.Confirmed));
    }

    [Fact]
    public void Car_below_the_hold_ends_its_episode_at_once()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 60, _ => [Seen(1, Car, ParkedBox, 0.5f)]);
        street.At(60, Seen(1, Car, ParkedBox, 0.05f));

        Assert.Equal(Noon + S(60), Assert.Single(street.Of(EpisodeEventKind.Ended)).At);
    }

    [Fact]
    public void Low_scored_car_never_starts_an_episode()
    {
        var street = new Street(Noon, Parking);
        street.Run(0, 400, _ => [Seen(1, Car, ParkedBox, 0.2f)]);

        Assert.Empty(street.Events);
    }

    private sealed class Street
    {
        private readonly DateTimeOffset _start;
        private readonly FrameClock _clock;
        private CameraRuleEvaluator _evaluator;

        public Street(DateTimeOffset start, params string[] rules) : this(start, schedules: null, rules) { }

        /// <summary>A camera whose parking rules leave a reported spot's new occupant to the case path's plate check.</summary>
        public static Street WithPlates(DateTimeOffset start, params string[] rules)
        {
            var street = new Street(start, null, rules);
            var config = Config(null, rules);
            street._evaluator = new CameraRuleEvaluator(config.Cameras[0], config.Schedules, ClassNames, street._clock, plateTurnover: true);
            return street;
        }

        /// <summary>A camera whose one rule may name the given schedules (a YAML flow mapping).</summary>
        public static Street Scheduled(DateTimeOffset start, string schedules, string rule) => new(start, schedules, [rule]);

        private Street(DateTimeOffset start, string? schedules, string[] rules)
        {
            var config = Config(schedules, rules);
            _start = start;
            _clock = new FrameClock(start);
            _evaluator = new CameraRuleEvaluator(config.Cameras[0], config.Schedules, ClassNames, _clock);
        }

        private static VisionConfig Config(string? schedules, string[] rules) => VisionConfigLoader.Parse($"""
            detector:
              model: yolox_nano
            {(schedules is null ? "" : "schedules: " + schedules)}
            cameras:
              - id: cam-01
                zones:
                  - id: kerb
                    polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
                rules:
            {string.Join("\n", rules.Select(r => "      - " + r))}
            """, "test.yaml");

        /// <summary>A config edit: the camera's rules are replaced by these, as a reload does.</summary>
        public void Edit(params string[] rules)
        {
            var config = Config(null, rules);
            _evaluator = new CameraRuleEvaluator(config.Cameras[0], config.Schedules, ClassNames, _clock, previous: _evaluator);
        }

        public List<EpisodeEvent> Events { get; } = new();

        public void At(int second, params TrackedObject[] objects)
        {
            _clock.Set(_start + TimeSpan.FromSeconds(second));
            _evaluator.Evaluate(Width, Height, objects, Events);
        }

        /// <summary>One frame per second from <paramref name="from"/> up to, not including, <paramref name="to"/>.</summary>
        public void Run(int from, int to, Func<int, TrackedObject[]> frame)
        {
            for (int t = from; t < to; t++) At(t, frame(t));
        }

        public EpisodeEventKind[] Kinds() => Events.Select(e => e.Kind).ToArray();

        public List<EpisodeEvent> Of(EpisodeEventKind kind) => Events.Where(e => e.Kind == kind).ToList();
    }
}
