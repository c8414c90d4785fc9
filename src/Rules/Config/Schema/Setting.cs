using System.Globalization;

namespace Vision.Rules.Config;

/// <summary>
/// One key of a config section, declared once: its name, what the reference's type column says, its default as the
/// reference writes it (null when it is not a plain value, e.g. "per type" or required), and its meaning.
/// Keys whose values need hand-written parsing (zones, schedules, urls) are declared with this type alone.
/// </summary>
internal class ConfigKey(string key, string meaning)
{
    public string Key { get; } = key;

    /// <summary>One line: what the key does.</summary>
    public string Meaning { get; } = meaning;

    /// <summary>The reference's type column, up to any further note after a comma or parenthesis; null: not checked.</summary>
    public virtual string? TypeText => null;

    /// <summary>The default as the reference writes it in backticks; null when it is not a plain value.</summary>
    public virtual string? DefaultText => null;

    /// <summary>The record member that carries the key's value, for sections declared on their record.</summary>
    internal System.Reflection.PropertyInfo? Member { get; set; }

    /// <summary>True for a <see cref="Setting{T}"/>: <see cref="SectionBinder"/> reads it; other keys are parsed by hand.</summary>
    internal virtual bool IsSetting => false;

    internal virtual object? ReadBoxed(YamlMap map) => throw new InvalidOperationException($"'{Key}' is parsed by hand");

    internal virtual object? DefaultBoxed => throw new InvalidOperationException($"'{Key}' is parsed by hand");

    /// <summary>A value of the setting as YAML, the way the config reads it back to the same value.</summary>
    internal virtual string WriteBoxed(object? value) => throw new InvalidOperationException($"'{Key}' is parsed by hand");
}

/// <summary>A scalar key with a typed default and the values it admits, read by <see cref="YamlMap.Read{T}(Setting{T})"/>.</summary>
internal sealed class Setting<T> : ConfigKey
{
    private readonly Func<YamlMap, Setting<T>, T, T> _read;
    private readonly string _typeText;
    private readonly bool _defaultIsValue;

    internal Setting(string key, T @default, string meaning, string typeText, Func<YamlMap, Setting<T>, T, T> read, bool defaultIsValue = true)
        : base(key, meaning)
    {
        Default = @default;
        _typeText = typeText;
        _read = read;
        _defaultIsValue = defaultIsValue;
    }

    /// <summary>The value when the key is left out (for per-type keys: a placeholder, the reader passes the type's).</summary>
    public T Default { get; }

    public override string TypeText => _typeText;

    /// <summary>For a choice: its words and the value each stands for.</summary>
    public IReadOnlyList<(string Word, T Value)>? Words { get; init; }

    public override string? DefaultText => _defaultIsValue ? Write(Default) : null;

    /// <summary>The value as the config spells it: a choice's word, a duration as "1h30m", numbers invariant.</summary>
    public string Write(T value)
    {
        if (Words is not null)
            foreach (var (word, option) in Words)
                if (EqualityComparer<T>.Default.Equals(option, value)) return word;
        return SettingText.Of(value);
    }

    internal T ReadFrom(YamlMap map, T fallback) => _read(map, this, fallback);

    internal override bool IsSetting => true;

    internal override object? ReadBoxed(YamlMap map) => ReadFrom(map, Default);

    internal override object? DefaultBoxed => Default;

    internal override string WriteBoxed(object? value) => value is string text ? YamlText.Quote(text) : Write((T)value!);
}

/// <summary>Declares settings: each factory fixes how the value is parsed, checked and described.</summary>
internal static class Setting
{
    /// <summary>A duration; <paramref name="note"/> follows the limit in the error ("(the S3 limit)").</summary>
    public static Setting<TimeSpan> Duration(string key, TimeSpan @default, Limit<TimeSpan> limit, string meaning, string note = "", string? subject = null) =>
        new(key, @default, meaning, $"duration {limit.DocText}",
            (m, s, fallback) => m.Duration(s.Key, fallback, v => limit.Admits(v) ? null : $"{subject ?? s.Key} {limit.Phrase}{note}"));

    /// <summary>A duration whose default is not one value (a rule type's, another key's).</summary>
    public static Setting<TimeSpan> Duration(string key, Limit<TimeSpan> limit, string meaning, string note = "", string? subject = null) =>
        new(key, default, meaning, $"duration {limit.DocText}",
            (m, s, fallback) => m.Duration(s.Key, fallback, v => limit.Admits(v) ? null : $"{subject ?? s.Key} {limit.Phrase}{note}"), defaultIsValue: false);

    public static Setting<int> Integer(string key, int @default, Limit<int> limit, string meaning, string note = "") =>
        new(key, @default, meaning, $"integer {limit.DocText}",
            (m, s, fallback) => m.Integer(s.Key, fallback, v => limit.Admits(v) ? null : $"{s.Key} {limit.Phrase}{note}"));

    /// <summary>A byte count; written as a number (YAML may give it as 1e9).</summary>
    public static Setting<long> Bytes(string key, long @default, Limit<double> limit, string meaning, string note = "") =>
        new(key, @default, meaning, $"bytes {limit.DocText}",
            (m, s, fallback) => (long)m.Number(s.Key, fallback, v => limit.Admits(v) ? null : $"{s.Key} {limit.Phrase}{note}"));

    public static Setting<double> Number(string key, double @default, Limit<double> limit, string meaning, string note = "") =>
        new(key, @default, meaning, $"number {limit.DocText}",
            (m, s, fallback) => m.Number(s.Key, fallback, v => limit.Admits(v) ? null : $"{s.Key} {limit.Phrase}{note}"));

    /// <summary>A number kept as a float (the value is checked before it is narrowed).</summary>
    public static Setting<float> Single(string key, float @default, Limit<double> limit, string meaning, string note = "") =>
        new(key, @default, meaning, $"number {limit.DocText}",
            (m, s, fallback) => (float)m.Number(s.Key, Widen(fallback), v => limit.Admits(v) ? null : $"{s.Key} {limit.Phrase}{note}"));

    // 0.2f widened bit for bit is 0.20000000298023224; the messages name the default as it is written (0.2).
    private static double Widen(float value) => double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A float whose default is not one value.</summary>
    public static Setting<float> Single(string key, Limit<double> limit, string meaning, string note = "") =>
        new(key, default, meaning, $"number {limit.DocText}",
            (m, s, fallback) => (float)m.Number(s.Key, fallback, v => limit.Admits(v) ? null : $"{s.Key} {limit.Phrase}{note}"), defaultIsValue: false);

    /// <summary>A number from 0 to 1; <paramref name="subject"/> names it in the error when the key alone would not say enough.</summary>
    public static Setting<float> Fraction(string key, float @default, string meaning, string? subject = null) =>
        new(key, @default, meaning, "fraction", (m, s, fallback) => m.Fraction(s.Key, fallback, subject ?? s.Key));

    /// <summary>A fraction whose default is not one value.</summary>
    public static Setting<float> Fraction(string key, string meaning, string? subject = null) =>
        new(key, default, meaning, "fraction", (m, s, fallback) => m.Fraction(s.Key, fallback, subject ?? s.Key), defaultIsValue: false);

    /// <summary>One of a fixed set of words; <paramref name="what"/> names it in the error ("unknown decode mode 'x'").</summary>
    public static Setting<T> Choice<T>(string key, T @default, IReadOnlyList<(string Word, T Value)> words, string what, string meaning) =>
        new(key, @default, meaning, ChoiceText(words), (m, s, fallback) => m.Choice(s.Key, fallback, words, what)) { Words = words };

    public static Setting<T> Choice<T>(string key, IReadOnlyList<(string Word, T Value)> words, string what, string meaning) =>
        new(key, default!, meaning, ChoiceText(words), (m, s, fallback) => m.Choice(s.Key, fallback, words, what), defaultIsValue: false) { Words = words };

    public static Setting<bool> Switch(string key, bool @default, string meaning, string? what = null) =>
        Choice(key, @default, OnOff, what ?? key, meaning);

    /// <summary>Text; empty means "not set" and gives the default.</summary>
    public static Setting<string> Text(string key, string @default, string meaning, string typeText = "text") =>
        new(key, @default, meaning, typeText, (m, s, fallback) => m.OptionalText(s.Key) ?? fallback);

    /// <summary>Text that may be left out: null when not set.</summary>
    public static Setting<string?> OptionalText(string key, string meaning, string typeText = "text") =>
        new(key, null, meaning, typeText, (m, s, fallback) => m.OptionalText(s.Key) ?? fallback, defaultIsValue: false);

    internal static readonly (string Word, bool Value)[] OnOff = [("true", true), ("false", false)];

    private static string ChoiceText<T>(IReadOnlyList<(string Word, T Value)> words)
    {
        var parts = new string[words.Count];
        for (int i = 0; i < words.Count; i++) parts[i] = $"`{words[i].Word}`";
        return string.Join(@" \| ", parts);
    }
}

/// <summary>How a setting's value is written in the config (and so in the reference and in a file Vision writes).</summary>
internal static class SettingText
{
    public static string Of<T>(T value) => value switch
    {
        null => "",
        TimeSpan span => ConfigDuration.Format(span),
        bool flag => flag ? "true" : "false",
        string text => text,
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
