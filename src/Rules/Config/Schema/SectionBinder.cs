using System.Reflection;
using System.Text;

namespace Vision.Rules.Config;

/// <summary>
/// Builds a section's record from what the config writes: each setting the record declares
/// (<see cref="SettingAttribute"/>) is read and checked in declaration order and fills its member; a key left out keeps
/// the member's initial value, its default. Keys whose values need hand-written parsing (a grid, a model name, a nested
/// section) are passed in as <c>given</c> values under their key or member name (a given value also replaces a
/// setting's, which is then not read). So a new key is its member with its declaration, and its line in docs/config.md.
/// </summary>
internal static class SectionBinder
{
    public static T Bind<T>(this YamlMap map, ConfigSection section, params (string Key, object? Value)[] given) where T : class, new()
    {
        if (section.Record != typeof(T))
            throw new InvalidOperationException($"{section.DocHeading} is declared on {section.Record?.Name ?? "no record"}, not on {typeof(T).Name}");
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in given)
            values[key] = value;
        var read = new List<(PropertyInfo Member, object? Value)>();
        foreach (var entry in section.Entries)
        {
            if (values.Remove(entry.Key, out var value)) read.Add((entry.Member!, value));
            else if (entry.IsSetting) read.Add((entry.Member!, entry.ReadBoxed(map)));
        }
        foreach (var (key, value) in values)
        {
            var member = typeof(T).GetProperty(MemberOf(key), BindingFlags.Public | BindingFlags.Instance);
            if (member is not { CanWrite: true })
                throw new InvalidOperationException($"the value given for '{key}' has no member {MemberOf(key)} in {typeof(T).Name} to fill");
            read.Add((member, value));
        }

        var record = new T();
        foreach (var (member, value) in read)
            member.SetValue(record, Convert(value, member.PropertyType));
        return record;
    }

    private static object? Convert(object? value, Type target)
    {
        if (value is null || target.IsInstanceOfType(value)) return value;
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        return System.Convert.ChangeType(value, underlying, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>LostTimeout -> lost_timeout.</summary>
    internal static string KeyOf(string member)
    {
        var key = new StringBuilder(member.Length + 4);
        for (int i = 0; i < member.Length; i++)
        {
            char c = member[i];
            if (char.IsUpper(c))
            {
                if (i > 0) key.Append('_');
                key.Append(char.ToLowerInvariant(c));
            }
            else key.Append(c);
        }
        return key.ToString();
    }

    /// <summary>lost_timeout -> LostTimeout.</summary>
    internal static string MemberOf(string key)
    {
        var member = new StringBuilder(key.Length);
        bool upper = true;
        foreach (char c in key)
        {
            if (c == '_') { upper = true; continue; }
            member.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return member.ToString();
    }
}
