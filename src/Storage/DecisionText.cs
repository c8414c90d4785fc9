namespace Vision.Storage;

/// <summary>
/// The longest free text a review decision keeps (README, "Review console"). <see cref="CaseStore.DecideAsync"/> checks
/// every decision against these, so the console, its bulk decision and the command line share one rule; longer text is
/// refused, never cut.
/// </summary>
public static class DecisionText
{
    public const int MaxNote = 2000;
    public const int MaxChangeReason = 2000;
    public const int MaxReason = 64;
    public const int MaxActor = 64;

    /// <summary>The first text over its limit, as the exception to throw or answer; null when every text fits. Field names are the API's.</summary>
    public static DecisionTextTooLongException? Problem(string? actor, string? reason, string? note, string? changeReason) =>
        Over("note", note, MaxNote) ?? Over("reason", reason, MaxReason) ?? Over("changeReason", changeReason, MaxChangeReason) ?? Over("actor", actor, MaxActor);

    /// <summary>Checks a decision as <see cref="CaseStore.DecideAsync"/> records it.</summary>
    public static DecisionTextTooLongException? Problem(CaseDecision d) => Problem(d.Entry.Actor, d.Entry.Reason, d.Entry.Note, d.ChangeReason);

    private static DecisionTextTooLongException? Over(string field, string? text, int limit) =>
        text is not null && text.Length > limit ? new DecisionTextTooLongException(field, limit, text.Length) : null;
}

/// <summary>A decision's free text is longer than <see cref="DecisionText"/> allows; nothing was recorded.</summary>
public sealed class DecisionTextTooLongException(string name, int limit, int length)
    : Exception($"{name}: at most {limit} characters, this one has {length}; shorten it (nothing was recorded)")
{
    /// <summary>The field as the API names it: note, reason, changeReason or actor.</summary>
    public string Field => name;

    public int Limit => limit;
}
