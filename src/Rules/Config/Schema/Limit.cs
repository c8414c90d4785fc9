namespace Vision.Rules.Config;

/// <summary>
/// The values a setting admits, worded once for both the error ("jpeg_quality must be between 1 and 100") and the
/// reference ("integer 1–100"). The wording varies per setting only because the messages users already see do.
/// </summary>
internal sealed class Limit<T> where T : IComparable<T>
{
    private readonly T? _low;
    private readonly T? _high;
    private readonly bool _lowOpen;
    private readonly bool _highOpen;
    private readonly bool _hasLow;
    private readonly bool _hasHigh;

    private Limit(T? low, bool hasLow, bool lowOpen, T? high, bool hasHigh, bool highOpen, string phrase, string docText)
    {
        (_low, _hasLow, _lowOpen, _high, _hasHigh, _highOpen) = (low, hasLow, lowOpen, high, hasHigh, highOpen);
        Phrase = phrase;
        DocText = docText;
    }

    /// <summary>"must be between 1 and 100", completed by the setting's name in front.</summary>
    public string Phrase { get; }

    /// <summary>"1–100", "≥ 1s", "> 0" as the reference's type column writes it.</summary>
    public string DocText { get; }

    public bool Admits(T value) =>
        (!_hasLow || (_lowOpen ? value.CompareTo(_low!) > 0 : value.CompareTo(_low!) >= 0))
        && (!_hasHigh || (_highOpen ? value.CompareTo(_high!) < 0 : value.CompareTo(_high!) <= 0));

    /// <summary>low ≤ v ≤ high: "must be between low and high".</summary>
    public static Limit<T> Between(T low, T high) =>
        new(low, true, false, high, true, false, $"must be between {Show(low)} and {Show(high)}", $"{Show(low)}–{Show(high)}");

    /// <summary>v ≥ low, worded "must be at least low".</summary>
    public static Limit<T> AtLeast(T low) => new(low, true, false, default, false, false, $"must be at least {Show(low)}", $"≥ {Show(low)}");

    /// <summary>v ≥ low, worded "must be >= low".</summary>
    public static Limit<T> NotBelow(T low) => new(low, true, false, default, false, false, $"must be >= {Bound(low)}", $"≥ {Bound(low)}");

    /// <summary>v &gt; low: "must be > low".</summary>
    public static Limit<T> Above(T low) => new(low, true, true, default, false, false, $"must be > {Bound(low)}", $"> {Bound(low)}");

    /// <summary>low &lt; v ≤ high: "must be > low and &lt;= high".</summary>
    public static Limit<T> AboveUpTo(T low, T high) =>
        new(low, true, true, high, true, false, $"must be > {Show(low)} and <= {Show(high)}", $"> {Show(low)} and ≤ {Show(high)}");

    /// <summary>low ≤ v &lt; high: "must be >= low and &lt; high".</summary>
    public static Limit<T> FromBelow(T low, T high) =>
        new(low, true, false, high, true, true, $"must be >= {Show(low)} and < {Show(high)}", $"≥ {Show(low)} and < {Show(high)}");

    /// <summary>
    /// A limit as <see cref="SettingAttribute.Limit"/> words it, each value read by <paramref name="value"/>:
    /// "between A and B", "at least A", "&gt;= A", "&gt; A", "&gt; A and &lt;= B", "&gt;= A and &lt; B".
    /// </summary>
    public static Limit<T> Parse(string text, Func<string, T> value)
    {
        const string between = "between ", atLeast = "at least ";
        if (text.StartsWith(between, StringComparison.Ordinal) && Split(text[between.Length..], " and ") is (string low, string high))
            return Between(value(low), value(high));
        if (text.StartsWith(atLeast, StringComparison.Ordinal)) return AtLeast(value(text[atLeast.Length..]));
        if (text.StartsWith(">= ", StringComparison.Ordinal))
            return Split(text[3..], " and < ") is (string from, string below) ? FromBelow(value(from), value(below)) : NotBelow(value(text[3..]));
        if (text.StartsWith("> ", StringComparison.Ordinal))
            return Split(text[2..], " and <= ") is (string above, string upTo) ? AboveUpTo(value(above), value(upTo)) : Above(value(text[2..]));
        throw new FormatException($"'{text}' is not a limit: write 'between A and B', 'at least A', '>= A', '> A', '> A and <= B' or '>= A and < B'");
    }

    private static (string, string)? Split(string text, string separator)
    {
        int at = text.IndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? null : (text[..at], text[(at + separator.Length)..]);
    }

    private static string Show(T value) => SettingText.Of(value);

    // A lone bound of zero reads "0" whatever the unit ("must be >= 0"), as the messages always said.
    private static string Bound(T value) => value.CompareTo(default!) == 0 ? "0" : Show(value);
}
