namespace Vision.Rules.Config;

/// <summary>
/// Declares a record member as a config setting, in one place: the key is the member's name in snake_case
/// (<c>LostTimeout</c> is <c>lost_timeout</c>), the default is the member's initial value, the kind of value follows
/// the member's type (a <see cref="TimeSpan"/> is a duration, a <see cref="long"/> a byte count, a <see cref="float"/>
/// without a limit a fraction, an enum a choice of its members' names in snake_case), and this attribute adds the
/// meaning and the admitted values. <see cref="ConfigSection.Of{TRecord}"/> turns the members into the section's
/// <see cref="Setting{T}"/>s: the reader, the error messages and the reference test all follow from them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingAttribute(string meaning) : Attribute
{
    /// <summary>One line: what the key does (docs/config.md says the same).</summary>
    public string Meaning { get; } = meaning;

    /// <summary>The key, when it is not the member's name in snake_case.</summary>
    public string? Key { get; init; }

    /// <summary>
    /// The admitted values as the error words them: <c>between 1 and 100</c>, <c>at least 10s</c>, <c>&gt;= 0</c>,
    /// <c>&gt; 0</c>, <c>&gt; 0 and &lt;= 30</c>, <c>&gt;= 0 and &lt; 0.5</c>. Required for numbers other than fractions.
    /// </summary>
    public string? Limit { get; init; }

    /// <summary>Words after the limit in the error, e.g. " (the S3 limit)".</summary>
    public string Note { get; init; } = "";

    /// <summary>The reference's type column for text (<c>path</c>, <c>name</c>); "text" when not set.</summary>
    public string? TypeText { get; init; }

    /// <summary>A choice's name in its error ("unknown decode mode 'x'"); the key when not set.</summary>
    public string? What { get; init; }

    /// <summary>The words a text choice admits (an enum's come from its members).</summary>
    public string[]? Words { get; init; }

    /// <summary>The setting's name in its range error, when the key alone would not say enough.</summary>
    public string? Subject { get; init; }
}

/// <summary>
/// Declares a record member as a key whose value is parsed by hand (a model name, a grid, a nested section) and
/// given to <see cref="SectionBinder"/>; it still names the key, its place in the section and its meaning.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ParsedByHandAttribute(string meaning) : Attribute
{
    public string Meaning { get; } = meaning;
}
