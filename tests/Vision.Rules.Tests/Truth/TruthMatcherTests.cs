using Vision.Rules.Truth;

namespace Vision.Rules.Tests.Truth;

public sealed class TruthMatcherTests
{
    private const string Kerb = "parking-near-kerb";
    private static readonly NormalisedBox CarBox = new(0.28, 0.76, 0.10, 0.09);
    private static readonly Dictionary<string, TimeSpan> Dwell = new() { [Kerb] = TimeSpan.FromSeconds(10) };

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static TruthViolation Violation(double from, double to, NormalisedBox? box = null, NormalisedPoint? point = null) =>
        new(Kerb, S(from), S(to), point is null ? box ?? CarBox : null, point, null);

    private static RaisedCase Case(string id, double confirmedAt, NormalisedBox? box = null) =>
        new(id, Kerb, S(confirmedAt - 10), S(confirmedAt), box ?? new NormalisedBox(0.29, 0.77, 0.08, 0.07));

    private static TruthClip Clip(bool complete = true, IReadOnlyList<TruthViolation>? violations = null, IReadOnlyList<QuietWindow>? quiet = null) =>
        new("/footage/street.mp4", null, null, complete, [Kerb], violations ?? [], quiet ?? []);

    private static RuleScore Score(TruthClip clip, params RaisedCase[] cases) => Assert.Single(TruthMatcher.Match(clip, cases, Dwell).Rules);

    [Fact]
    public void Case_confirmed_inside_the_window_on_the_labelled_box_is_a_hit_with_its_delay()
    {
        var score = Score(Clip(violations: [Violation(5, 40)]), Case("c1", 17));
        Assert.Equal((1, 0, 0), (score.Hits, score.FalseCases, score.Misses));
        Assert.Equal(12, Assert.Single(score.DelaysSeconds), 6);
        Assert.Equal(1, score.Precision);
        Assert.Equal(1, score.Recall);
        Assert.Equal(1, score.F1);
    }

    [Fact]
    public void Confirmation_up_to_two_seconds_after_the_window_still_matches_but_not_later()
    {
        var clip = Clip(violations: [Violation(5, 40)]);
        Assert.Equal(1, Score(clip, Case("c1", 41.9)).Hits);
        var late = Score(clip, Case("c1", 42.5));
        Assert.Equal((0, 1, 1), (late.Hits, late.FalseCases, late.Misses));
    }

    [Fact]
    public void Second_case_on_a_matched_violation_is_a_duplicate_and_counts_as_a_false_case()
    {
        var result = TruthMatcher.Match(Clip(violations: [Violation(5, 40)]), [Case("late", 30), Case("early", 17)], Dwell);
        var score = Assert.Single(result.Rules);
        Assert.Equal((1, 1, 0), (score.Hits, score.FalseCases, score.Misses));
        Assert.Equal("early", Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.Hit).Case!.CaseId);
        Assert.Equal("late", Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.Duplicate).Case!.CaseId);
        Assert.Equal(0.5, score.Precision);
    }

    [Fact]
    public void Case_elsewhere_on_a_complete_clip_is_a_false_case()
    {
        var result = TruthMatcher.Match(Clip(violations: [Violation(5, 40)]), [Case("c1", 17), Case("c2", 20, new NormalisedBox(0.7, 0.1, 0.1, 0.1))], Dwell);
        var score = Assert.Single(result.Rules);
        Assert.Equal((1, 1, 0), (score.Hits, score.FalseCases, score.Misses));
        Assert.Equal("c2", Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.FalseCase).Case!.CaseId);
    }

    [Fact]
    public void Case_outside_every_quiet_window_of_an_incomplete_clip_is_unlabelled_and_not_counted()
    {
        var clip = Clip(complete: false, quiet: [new QuietWindow(null, S(100), S(200), null, null)]);
        var result = TruthMatcher.Match(clip, [Case("c1", 17)], Dwell);
        var score = Assert.Single(result.Rules);
        Assert.Equal((0, 0, 0, 1), (score.Hits, score.FalseCases, score.Misses, score.Unlabelled));
        Assert.Equal(OutcomeKind.Unlabelled, Assert.Single(result.Outcomes).Kind);
        Assert.True(double.IsNaN(score.Precision));
        Assert.True(double.IsNaN(score.F1));
    }

    [Fact]
    public void Case_in_a_quiet_window_without_a_box_is_a_false_case_anywhere_in_the_frame()
    {
        var clip = Clip(complete: false, quiet: [new QuietWindow(null, S(0), S(60), null, "rejected")]);
        Assert.Equal(1, Score(clip, Case("c1", 17, new NormalisedBox(0.8, 0.1, 0.1, 0.1))).FalseCases);
    }

    [Fact]
    public void Quiet_window_with_a_box_counts_only_cases_on_that_box()
    {
        var clip = Clip(complete: false, quiet: [new QuietWindow(Kerb, S(0), S(60), CarBox, null)]);
        var result = TruthMatcher.Match(clip, [Case("on-box", 17), Case("elsewhere", 18, new NormalisedBox(0.8, 0.1, 0.1, 0.1))], Dwell);
        Assert.Equal("on-box", Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.FalseCase).Case!.CaseId);
        Assert.Equal("elsewhere", Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.Unlabelled).Case!.CaseId);
    }

    [Fact]
    public void Quiet_window_of_another_rule_does_not_count_this_rules_case()
    {
        var clip = Clip(complete: false, quiet: [new QuietWindow("loitering", S(0), S(60), null, null)]);
        Assert.Equal(1, Score(clip, Case("c1", 17)).Unlabelled);
    }

    [Fact]
    public void Violation_without_a_case_is_a_miss()
    {
        var result = TruthMatcher.Match(Clip(violations: [Violation(5, 40), Violation(50, 90, new NormalisedBox(0.6, 0.5, 0.1, 0.1))]), [Case("c1", 17)], Dwell);
        var score = Assert.Single(result.Rules);
        Assert.Equal((1, 0, 1), (score.Hits, score.FalseCases, score.Misses));
        Assert.Equal(S(50), Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.Miss).Truth!.From);
        Assert.Equal(0.5, score.Recall);
        Assert.Equal(2.0 / 3, score.F1, 9);
    }

    [Fact]
    public void Violation_shorter_than_the_dwell_is_too_short_and_a_case_on_it_is_neither_hit_nor_false()
    {
        var clip = Clip(violations: [Violation(5, 12), Violation(50, 55, new NormalisedBox(0.6, 0.5, 0.1, 0.1))]);
        var result = TruthMatcher.Match(clip, [Case("c1", 13)], Dwell);
        var score = Assert.Single(result.Rules);
        Assert.Equal((0, 0, 0, 2), (score.Hits, score.FalseCases, score.Misses, score.TooShort));
        Assert.Equal(2, result.Outcomes.Count(o => o.Kind == OutcomeKind.TooShort));
        Assert.Equal("c1", Assert.Single(result.Outcomes, o => o.Case is not null).Case!.CaseId);
    }

    [Fact]
    public void Point_label_matches_a_case_whose_box_holds_the_point()
    {
        var clip = Clip(violations: [Violation(5, 40, point: new NormalisedPoint(0.33, 0.8))]);
        Assert.Equal(1, Score(clip, Case("c1", 17)).Hits);
        var elsewhere = Score(clip, Case("c2", 17, new NormalisedBox(0.5, 0.5, 0.1, 0.1)));
        Assert.Equal((0, 1, 1), (elsewhere.Hits, elsewhere.FalseCases, elsewhere.Misses));
    }

    [Fact]
    public void Small_labelled_box_matches_when_its_centre_lies_in_a_larger_case_box()
    {
        var clip = Clip(violations: [Violation(5, 40, new NormalisedBox(0.30, 0.78, 0.02, 0.02))]);
        Assert.Equal(1, Score(clip, Case("c1", 17, new NormalisedBox(0.1, 0.5, 0.5, 0.45))).Hits);
    }

    [Fact]
    public void Two_cars_side_by_side_each_take_the_case_nearer_to_them()
    {
        var left = new NormalisedBox(0.20, 0.70, 0.20, 0.20);
        var right = new NormalisedBox(0.35, 0.70, 0.20, 0.20);
        var result = TruthMatcher.Match(Clip(violations: [Violation(5, 40, left), Violation(5, 40, right)]),
            [Case("right-car", 17, new NormalisedBox(0.33, 0.72, 0.12, 0.15)), Case("left-car", 18, new NormalisedBox(0.30, 0.72, 0.12, 0.15))], Dwell);
        Assert.Equal(2, Assert.Single(result.Rules).Hits);
        Assert.Equal(right, result.Outcomes.Single(o => o.Case!.CaseId == "right-car").Truth!.Box);
    }

    [Fact]
    public void Without_a_rules_list_every_rule_of_the_camera_is_scored_and_other_rules_cases_are_unlabelled()
    {
        var clip = new TruthClip("/footage/street.mp4", null, null, true, null, [Violation(5, 40)], []);
        var dwell = new Dictionary<string, TimeSpan> { [Kerb] = S(10), ["loitering"] = S(60) };
        var result = TruthMatcher.Match(clip, [Case("c1", 17), new RaisedCase("c2", "not-on-camera", S(1), S(2), CarBox)], dwell);
        Assert.Equal(["loitering", Kerb], result.Rules.Select(r => r.RuleId));
        Assert.Equal(OutcomeKind.Unlabelled, result.Outcomes.Single(o => o.Case?.CaseId == "c2").Kind);
    }

    [Fact]
    public void Sum_adds_counts_and_delays_and_overall_precision_follows()
    {
        var total = RuleScore.Sum("overall", [new RuleScore("a", 3, 1, 0, 0, 0, [1, 2, 9]), new RuleScore("b", 1, 0, 2, 1, 4, [4])]);
        Assert.Equal((4, 1, 2, 1, 4), (total.Hits, total.FalseCases, total.Misses, total.TooShort, total.Unlabelled));
        Assert.Equal(0.8, total.Precision, 9);
        Assert.Equal(3, total.MedianDelaySeconds, 9);
        Assert.Equal(9, total.MaxDelaySeconds, 9);
    }

    [Fact]
    public void Object_put_back_at_a_reported_spot_within_the_cooldown_is_a_repeat_not_a_miss_and_a_case_on_it_is_a_hit()
    {
        var cooldown = new Dictionary<string, TimeSpan> { [Kerb] = TimeSpan.FromMinutes(10) };
        var clip = Clip(violations: [Violation(0, 20), Violation(30, 60), Violation(30, 60, new NormalisedBox(0.7, 0.1, 0.1, 0.1))]);
        var result = TruthMatcher.Match(clip, [Case("first", 12)], Dwell, cooldown);
        var score = Assert.Single(result.Rules);
        Assert.Equal((1, 0, 1, 1), (score.Hits, score.FalseCases, score.Misses, score.Repeats));
        Assert.Equal(30, Assert.Single(result.Outcomes, o => o.Kind == OutcomeKind.Repeat).Truth!.From.TotalSeconds);

        var caught = Assert.Single(TruthMatcher.Match(clip, [Case("first", 12), Case("again", 45)], Dwell, cooldown).Rules);
        Assert.Equal((2, 0, 1, 0), (caught.Hits, caught.FalseCases, caught.Misses, caught.Repeats));

        // Past the cooldown it is a new violation again, and without cooldowns there are no repeats.
        var shortCooldown = new Dictionary<string, TimeSpan> { [Kerb] = TimeSpan.FromSeconds(5) };
        Assert.Equal(2, Assert.Single(TruthMatcher.Match(clip, [Case("first", 12)], Dwell, shortCooldown).Rules).Misses);
        Assert.Equal(2, Score(clip, Case("first", 12)).Misses);
    }
}
