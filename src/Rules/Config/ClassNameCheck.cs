using System.Globalization;

namespace Vision.Rules.Config;

/// <summary>Checks, once the detector model is known, that every class a rule names is one the model can detect (or <see cref="NewObjectClass.Name"/>).</summary>
public static class ClassNameCheck
{
    // Few enough to list in the message; more and the user is pointed at the model's classes file.
    private const int ListLimit = 12;

    /// <summary>Throws one <see cref="ConfigException"/> listing each rule class or near_class the model does not know, at the line that named it.</summary>
    public static void Validate(VisionConfig config, IReadOnlyList<string> modelClassNames)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(modelClassNames);
        var known = new HashSet<string>(modelClassNames, StringComparer.Ordinal) { NewObjectClass.Name };
        var errors = new List<ConfigError>();
        for (int c = 0; c < config.Cameras.Count; c++)
        {
            var camera = config.Cameras[c];
            for (int r = 0; r < camera.Rules.Count; r++)
            {
                var rule = camera.Rules[r];
                var rulePath = string.Create(CultureInfo.InvariantCulture, $"cameras[{c}].rules[{r}]");
                Check(config, rule, rule.Classes, rulePath + ".classes", known, modelClassNames, errors);
                Check(config, rule, rule.NearClasses, rulePath + ".near_classes", known, modelClassNames, errors);
            }
        }
        if (errors.Count > 0) throw new ConfigException(errors);
    }

    private static void Check(VisionConfig config, RuleDefinition rule, IReadOnlyList<string> classes, string path,
        HashSet<string> known, IReadOnlyList<string> modelClassNames, List<ConfigError> errors)
    {
        bool written = config.Locations.Contains(path);
        for (int i = 0; i < classes.Count; i++)
        {
            var name = classes[i];
            if (known.Contains(name)) continue;
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
            var closest = Suggestions.Closest(name, modelClassNames);
            var catalogue = modelClassNames.Count <= ListLimit
                ? $"the model knows {modelClassNames.Count} classes: {string.Join(", ", modelClassNames)}"
                : $"the model knows {modelClassNames.Count} classes, see its classes file";
            var hint = closest is null ? catalogue : $"did you mean '{closest}'? {catalogue}";
            var key = path[(path.LastIndexOf('.') + 1)..];
            var message = written
                ? $"unknown class '{name}' ({hint})"
                : $"unknown class '{name}' in the default {key} for {rule.Type.ToWire()} ({hint}); set '{key}' on this rule to classes the model knows";
            errors.Add(new ConfigError(config.Locations.Find(written ? itemPath : path), written ? itemPath : path, message));
        }
    }
}
