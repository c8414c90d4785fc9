using System.Reflection;
using System.Text;

namespace Vision.Rules.Config;

/// <summary>
/// Builds a section's record from the section's declarations, by name: the setting <c>lost_timeout</c> fills the
/// constructor parameter or init property <c>LostTimeout</c>. So a new key is its declaration, the record's member
/// and its line in docs/config.md; no reader changes. Keys whose values need hand-written parsing (a grid, a URL) are
/// passed in as <c>given</c> values under their key (a given value also replaces a setting's, which is then not read). A record member with no declaration, or a declared setting no
/// member carries, is a programming error and throws (the config tests bind every section).
/// </summary>
internal static class SectionBinder
{
    /// <summary>The record as the map writes it: each declared setting read (and checked) in declaration order.</summary>
    public static T Bind<T>(this YamlMap map, ConfigSection section, params (string Key, object? Value)[] given) where T : class =>
        Build<T>(section, setting => setting.ReadBoxed(map), given);

    /// <summary>The record with every setting at its declared default.</summary>
    public static T Defaults<T>(ConfigSection section, params (string Key, object? Value)[] given) where T : class =>
        Build<T>(section, setting => setting.DefaultBoxed, given);

    private static T Build<T>(ConfigSection section, Func<ConfigKey, object?> valueOf, (string Key, object? Value)[] given) where T : class
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in given)
            values[key] = value;
        foreach (var entry in section.Entries)
            if (entry.IsSetting && !values.ContainsKey(entry.Key)) values[entry.Key] = valueOf(entry);

        var constructor = PrimaryConstructor(typeof(T));
        var parameters = constructor.GetParameters();
        var arguments = new object?[parameters.Length];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < parameters.Length; i++)
        {
            string key = KeyOf(parameters[i].Name!);
            if (!values.TryGetValue(key, out var value))
                throw new InvalidOperationException($"{typeof(T).Name}.{parameters[i].Name} has no key '{key}' declared in {section.DocHeading}");
            arguments[i] = Convert(value, parameters[i].ParameterType);
            used.Add(key);
        }
        var record = (T)constructor.Invoke(arguments);

        foreach (var (key, value) in values)
        {
            if (used.Contains(key)) continue;
            var property = typeof(T).GetProperty(MemberOf(key), BindingFlags.Public | BindingFlags.Instance);
            if (property is not { CanWrite: true })
                throw new InvalidOperationException($"'{key}' of {section.DocHeading} has no member {MemberOf(key)} in {typeof(T).Name}");
            property.SetValue(record, Convert(value, property.PropertyType));
        }
        return record;
    }

    private static ConstructorInfo PrimaryConstructor(Type type)
    {
        ConstructorInfo? widest = null;
        foreach (var constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
        {
            var parameters = constructor.GetParameters();
            // A record's copy constructor takes the record itself.
            if (parameters.Length == 1 && parameters[0].ParameterType == type) continue;
            if (widest is null || parameters.Length > widest.GetParameters().Length) widest = constructor;
        }
        return widest ?? throw new InvalidOperationException($"{type.Name} has no public constructor");
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
