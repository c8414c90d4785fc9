using System.Globalization;
using System.Reflection;

namespace Vision.Rules.Config;

/// <summary>
/// Reads a section record's declarations: each member marked <see cref="SettingAttribute"/> becomes a
/// <see cref="Setting{T}"/> whose default is the member's initial value, each member marked
/// <see cref="ParsedByHandAttribute"/> a <see cref="ConfigKey"/>; in the order the record declares them.
/// </summary>
internal static class DeclaredSettings
{
    private static readonly MethodInfo DeclareMethod = typeof(DeclaredSettings).GetMethod(nameof(Declare), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static IReadOnlyList<ConfigKey> Of(Type record)
    {
        var defaults = Activator.CreateInstance(record)
            ?? throw new InvalidOperationException($"{record.Name} needs a parameterless constructor: its members' initial values are the defaults");
        var keys = new List<ConfigKey>();
        foreach (var member in record.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (member.GetCustomAttribute<SettingAttribute>() is { } declaration)
            {
                if (!member.CanWrite)
                    throw new InvalidOperationException($"{record.Name}.{member.Name} is declared a setting but cannot be set; give it an init accessor");
                string key = declaration.Key ?? SectionBinder.KeyOf(member.Name);
                var setting = (ConfigKey)DeclareMethod.MakeGenericMethod(member.PropertyType).Invoke(null, [key, member.GetValue(defaults), declaration])!;
                setting.Member = member;
                keys.Add(setting);
            }
            else if (member.GetCustomAttribute<ParsedByHandAttribute>() is { } byHand)
                keys.Add(new ConfigKey(SectionBinder.KeyOf(member.Name), byHand.Meaning) { Member = member });
        }
        return keys;
    }

    private static Setting<T> Declare<T>(string key, T @default, SettingAttribute a)
    {
        object setting = @default switch
        {
            TimeSpan span => Setting.Duration(key, span, Limit<TimeSpan>.Parse(LimitOf(a, key), Duration), a.Meaning, a.Note, a.Subject),
            int number => Setting.Integer(key, number, Limit<int>.Parse(LimitOf(a, key), text => int.Parse(text, CultureInfo.InvariantCulture)), a.Meaning, a.Note),
            long bytes => Setting.Bytes(key, bytes, Limit<double>.Parse(LimitOf(a, key), Number), a.Meaning, a.Note),
            double number => Setting.Number(key, number, Limit<double>.Parse(LimitOf(a, key), Number), a.Meaning, a.Note),
            float fraction when a.Limit is null => Setting.Fraction(key, fraction, a.Meaning, a.Subject),
            float number => Setting.Single(key, number, Limit<double>.Parse(a.Limit, Number), a.Meaning, a.Note),
            bool flag => Setting.Switch(key, flag, a.Meaning, a.What),
            Enum => Setting.Choice(key, @default, EnumWords<T>(), a.What ?? key, a.Meaning),
            string text when a.Words is { } words => Setting.Choice(key, text, [.. words.Select(w => (w, w))], a.What ?? key, a.Meaning),
            string text => Setting.Text(key, text, a.Meaning, a.TypeText ?? "text"),
            null when typeof(T) == typeof(string) => Setting.OptionalText(key, a.Meaning, a.TypeText ?? "text"),
            _ => throw new InvalidOperationException($"setting '{key}' is a {typeof(T).Name}; settings are durations, numbers, switches, text or enums"),
        };
        return (Setting<T>)setting;
    }

    private static string LimitOf(SettingAttribute a, string key) =>
        a.Limit ?? throw new InvalidOperationException($"setting '{key}' needs a Limit: the values it admits");

    private static TimeSpan Duration(string text) =>
        ConfigDuration.TryParse(text, out var span) ? span : throw new FormatException($"'{text}' is not a duration");

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>An enum's members as the config writes them: DecodeMode.Keyframes is "keyframes".</summary>
    private static (string Word, T Value)[] EnumWords<T>() =>
        [.. Enum.GetValues(typeof(T)).Cast<T>().Select(v => (SectionBinder.KeyOf(v!.ToString()!), v))];
}
