namespace Vision.Rules.Truth;

/// <summary>A case as the matcher sees it: times are offsets from the clip's first frame, the box normalised to the frame.</summary>
public sealed record RaisedCase(string CaseId, string RuleId, TimeSpan StartedAt, TimeSpan ConfirmedAt, NormalisedBox Box)
{
    /// <summary>The case's confirmation photo, for reports; null when there is none.</summary>
    public string? PhotoPath { get; init; }
}

/// <summary>What became of one case or one labelled violation.</summary>
public enum OutcomeKind
{
    /// <summary>A case matched a labelled violation (TP).</summary>
    Hit,
    /// <summary>A case matched nothing on a complete clip or in a quiet window (FP).</summary>
    FalseCase,
    /// <summary>A second case on a violation already matched (FP).</summary>
    Duplicate,
    /// <summary>A labelled violation no case matched (FN).</summary>
    Miss,
    /// <summary>A violation shorter than the rule's dwell, with or without a case on it: not counted.</summary>
    TooShort,
    /// <summary>A case that matched nothing where the clip is not labelled: listed, not counted.</summary>
    Unlabelled,
    /// <summary>
    /// A violation at the spot of an earlier labelled one, starting within the rule's cooldown after it ended (litter taken
    /// away and put back): the rule raises one case per spot in its cooldown by design, so it is not a miss; a case on it is a hit.
    /// </summary>
    Repeat,
}

/// <summary>One line of the match: a case, a violation, or both.</summary>
public sealed record MatchOutcome(OutcomeKind Kind, string RuleId, TruthViolation? Truth, RaisedCase? Case);

/// <summary>How one clip's cases matched its truth: a score per labelled rule and every outcome.</summary>
public sealed record ClipScore(string Clip, IReadOnlyList<RuleScore> Rules, IReadOnlyList<MatchOutcome> Outcomes);

/// <summary>Counts and confirmation delays of one rule (or of several summed); precision, recall and F1 are NaN where their denominator is 0.</summary>
public sealed record RuleScore(string RuleId, int Hits, int FalseCases, int Misses, int TooShort, int Unlabelled, IReadOnlyList<double> DelaysSeconds)
{
    /// <summary>Violations at a spot already labelled, within the rule's cooldown, that no case matched: not counted.</summary>
    public int Repeats { get; init; }

    public double Precision => Hits + FalseCases == 0 ? double.NaN : (double)Hits / (Hits + FalseCases);

    public double Recall => Hits + Misses == 0 ? double.NaN : (double)Hits / (Hits + Misses);

    public double F1
    {
        get
        {
            double p = Precision, r = Recall;
            if (double.IsNaN(p) || double.IsNaN(r)) return double.NaN;
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    /// <summary>Median confirmation delay of the hits in seconds; NaN without hits.</summary>
    public double MedianDelaySeconds
    {
        get
        {
            if (DelaysSeconds.Count == 0) return double.NaN;
            var sorted = DelaysSeconds.ToArray();
            Array.Sort(sorted);
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Longest confirmation delay of the hits in seconds; NaN without hits.</summary>
    public double MaxDelaySeconds => DelaysSeconds.Count == 0 ? double.NaN : DelaysSeconds.Max();

    /// <summary>The counts and delays of <paramref name="scores"/> added together under <paramref name="ruleId"/> (a rule over clips, or "overall").</summary>
    public static RuleScore Sum(string ruleId, IEnumerable<RuleScore> scores)
    {
        int hits = 0, falseCases = 0, misses = 0, tooShort = 0, unlabelled = 0, repeats = 0;
        var delays = new List<double>();
        foreach (var score in scores)
        {
            hits += score.Hits;
            falseCases += score.FalseCases;
            misses += score.Misses;
            tooShort += score.TooShort;
            unlabelled += score.Unlabelled;
            repeats += score.Repeats;
            delays.AddRange(score.DelaysSeconds);
        }
        return new RuleScore(ruleId, hits, falseCases, misses, tooShort, unlabelled, delays) { Repeats = repeats };
    }
}

/// <summary>Matches the cases raised on a clip to its labelled truth (docs/truth.md, "Matching"); pure, so a tuner may call it for every setting it tries.</summary>
public static class TruthMatcher
{
    /// <summary>How long after a violation's end its confirmation still counts: the case is raised while the object is still there.</summary>
    public static readonly TimeSpan ConfirmationSlack = TimeSpan.FromSeconds(2);

    /// <summary>Scores <paramref name="cases"/> against <paramref name="clip"/>; <paramref name="dwellByRule"/> holds the dwell of each rule of the clip's camera (the rules labelled when the clip lists none).</summary>
    /// <param name="cooldownByRule">Each rule's cooldown: a violation at an earlier one's spot starting within it is a <see cref="OutcomeKind.Repeat"/>; none given, there are no repeats.</param>
    public static ClipScore Match(TruthClip clip, IReadOnlyList<RaisedCase> cases, IReadOnlyDictionary<string, TimeSpan> dwellByRule,
        IReadOnlyDictionary<string, TimeSpan>? cooldownByRule = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(dwellByRule);

        var ruleIds = LabelledRules(clip, dwellByRule);
        var outcomes = new List<MatchOutcome>(cases.Count + clip.Violations.Count);
        var scores = new List<RuleScore>(ruleIds.Count);
        foreach (var ruleId in ruleIds)
            scores.Add(MatchRule(clip, ruleId, cases, dwellByRule.TryGetValue(ruleId, out var dwell) ? dwell : TimeSpan.Zero,
                cooldownByRule is not null && cooldownByRule.TryGetValue(ruleId, out var cooldown) ? cooldown : null, outcomes));

        // Cases of rules the clip is not labelled for are listed, never counted.
        foreach (var raised in cases)
            if (!ruleIds.Contains(raised.RuleId)) outcomes.Add(new MatchOutcome(OutcomeKind.Unlabelled, raised.RuleId, null, raised));
        return new ClipScore(clip.Clip, scores, outcomes);
    }

    /// <summary>True when a case confirmed at <paramref name="confirmedAt"/> in <paramref name="box"/> matches <paramref name="violation"/> in time and position.</summary>
    public static bool Matches(TruthViolation violation, TimeSpan confirmedAt, NormalisedBox box) =>
        confirmedAt >= violation.From && confirmedAt <= violation.To + ConfirmationSlack
        && Overlaps(box, violation.Box, violation.Point);

    private static List<string> LabelledRules(TruthClip clip, IReadOnlyDictionary<string, TimeSpan> dwellByRule)
    {
        var ids = new List<string>();
        if (clip.RuleIds is not null)
        {
            foreach (var id in clip.RuleIds)
                if (!ids.Contains(id)) ids.Add(id);
            return ids;
        }
        foreach (var id in dwellByRule.Keys) ids.Add(id);
        ids.Sort(StringComparer.Ordinal);
        foreach (var violation in clip.Violations)
            if (!ids.Contains(violation.RuleId)) ids.Add(violation.RuleId);
        return ids;
    }

    private static RuleScore MatchRule(TruthClip clip, string ruleId, IReadOnlyList<RaisedCase> cases, TimeSpan dwell, TimeSpan? cooldown, List<MatchOutcome> outcomes)
    {
        var violations = new List<TruthViolation>();
        foreach (var violation in clip.Violations)
            if (string.Equals(violation.RuleId, ruleId, StringComparison.Ordinal)) violations.Add(violation);
        var notExpected = NotExpected(violations, dwell, cooldown);
        var ruleCases = new List<RaisedCase>();
        foreach (var raised in cases)
            if (string.Equals(raised.RuleId, ruleId, StringComparison.Ordinal)) ruleCases.Add(raised);
        // Earliest confirmation first, so each violation takes the earliest case that matches it.
        ruleCases.Sort((a, b) => a.ConfirmedAt != b.ConfirmedAt ? a.ConfirmedAt.CompareTo(b.ConfirmedAt) : string.CompareOrdinal(a.CaseId, b.CaseId));

        var taken = new RaisedCase?[violations.Count];
        var onTooShort = new List<(int Violation, RaisedCase Case)>();
        int hits = 0, falseCases = 0, unlabelled = 0;
        var delays = new List<double>();
        foreach (var raised in ruleCases)
        {
            int free = -1, tooShort = -1, matched = -1;
            double freeDistance = double.MaxValue;
            for (int i = 0; i < violations.Count; i++)
            {
                var violation = violations[i];
                if (!Matches(violation, raised.ConfirmedAt, raised.Box)) continue;
                if (notExpected[i] == OutcomeKind.TooShort)
                {
                    if (tooShort < 0) tooShort = i;
                }
                else if (taken[i] is null)
                {
                    // Two free violations side by side: the case belongs to the nearer one.
                    double distance = Distance(raised.Box.Centre, Position(violation));
                    if (distance < freeDistance) (free, freeDistance) = (i, distance);
                }
                else if (matched < 0) matched = i;
            }

            if (free >= 0)
            {
                taken[free] = raised;
                hits++;
                delays.Add((raised.ConfirmedAt - violations[free].From).TotalSeconds);
                outcomes.Add(new MatchOutcome(OutcomeKind.Hit, ruleId, violations[free], raised));
            }
            else if (tooShort >= 0) onTooShort.Add((tooShort, raised));
            else if (matched >= 0)
            {
                falseCases++;
                outcomes.Add(new MatchOutcome(OutcomeKind.Duplicate, ruleId, violations[matched], raised));
            }
            else if (clip.Complete || InQuietWindow(clip, ruleId, raised))
            {
                falseCases++;
                outcomes.Add(new MatchOutcome(OutcomeKind.FalseCase, ruleId, null, raised));
            }
            else
            {
                unlabelled++;
                outcomes.Add(new MatchOutcome(OutcomeKind.Unlabelled, ruleId, null, raised));
            }
        }

        int misses = 0, tooShortCount = 0, repeats = 0;
        for (int i = 0; i < violations.Count; i++)
        {
            if (notExpected[i] == OutcomeKind.Repeat && taken[i] is null)
            {
                repeats++;
                outcomes.Add(new MatchOutcome(OutcomeKind.Repeat, ruleId, violations[i], null));
            }
            else if (notExpected[i] == OutcomeKind.TooShort)
            {
                tooShortCount++;
                bool anyCase = false;
                foreach (var (index, raised) in onTooShort)
                {
                    if (index != i) continue;
                    anyCase = true;
                    outcomes.Add(new MatchOutcome(OutcomeKind.TooShort, ruleId, violations[i], raised));
                }
                if (!anyCase) outcomes.Add(new MatchOutcome(OutcomeKind.TooShort, ruleId, violations[i], null));
            }
            else if (taken[i] is null)
            {
                misses++;
                outcomes.Add(new MatchOutcome(OutcomeKind.Miss, ruleId, violations[i], null));
            }
        }
        return new RuleScore(ruleId, hits, falseCases, misses, tooShortCount, unlabelled, delays) { Repeats = repeats };
    }

    /// <summary>
    /// Per violation: <see cref="OutcomeKind.TooShort"/> when shorter than the dwell, <see cref="OutcomeKind.Repeat"/> when it starts
    /// at an earlier expected violation's spot within the cooldown after that one ended, else <see cref="OutcomeKind.Hit"/> (expected).
    /// </summary>
    private static OutcomeKind[] NotExpected(List<TruthViolation> violations, TimeSpan dwell, TimeSpan? cooldown)
    {
        var kinds = new OutcomeKind[violations.Count];
        for (int i = 0; i < violations.Count; i++)
        {
            var violation = violations[i];
            if (IsTooShort(violation, dwell)) { kinds[i] = OutcomeKind.TooShort; continue; }
            kinds[i] = OutcomeKind.Hit;
            if (cooldown is not { } window) continue;
            for (int j = 0; j < violations.Count; j++)
            {
                var earlier = violations[j];
                if (j == i || IsTooShort(earlier, dwell) || earlier.To > violation.From || violation.From - earlier.To > window) continue;
                if (SameSpot(earlier, violation)) { kinds[i] = OutcomeKind.Repeat; break; }
            }
        }
        return kinds;
    }

    private static bool SameSpot(TruthViolation a, TruthViolation b)
    {
        var pa = Position(a);
        var pb = Position(b);
        return (a.Box?.Contains(pb) ?? false) || (b.Box?.Contains(pa) ?? false) || (a.Box is null && b.Box is null && Distance(pa, pb) < 0.02);
    }

    private static bool IsTooShort(TruthViolation violation, TimeSpan dwell) => violation.To - violation.From < dwell;

    private static bool InQuietWindow(TruthClip clip, string ruleId, RaisedCase raised)
    {
        foreach (var window in clip.Quiet)
        {
            if (window.RuleId is not null && !string.Equals(window.RuleId, ruleId, StringComparison.Ordinal)) continue;
            if (raised.ConfirmedAt < window.From || raised.ConfirmedAt > window.To) continue;
            if (window.Box is null || Overlaps(raised.Box, window.Box, null)) return true;
        }
        return false;
    }

    /// <summary>The case's box centre lies in the labelled box, or the labelled box's centre (or point) lies in the case's box; no position matches anywhere.</summary>
    private static bool Overlaps(NormalisedBox caseBox, NormalisedBox? box, NormalisedPoint? point)
    {
        if (box is not null) return box.Contains(caseBox.Centre) || caseBox.Contains(box.Centre);
        if (point is { } p) return caseBox.Contains(p);
        return true;
    }

    private static NormalisedPoint Position(TruthViolation violation) =>
        violation.Box?.Centre ?? violation.Point ?? new NormalisedPoint(0.5, 0.5);

    private static double Distance(NormalisedPoint a, NormalisedPoint b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}
