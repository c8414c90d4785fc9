using System.Diagnostics;

namespace Vision.Pipeline.Tests.Deployment;

/// <summary>
/// Runs scripts/validate-kubernetes.js (node, with kubernetes-models, js-yaml and TypeScript installed into
/// .tools/kubernetes-validate by scripts/install-test-servers.sh) on manifest files or folders.
/// </summary>
internal static class KubernetesValidator
{
    public static string Script => Path.Combine(SharedData.ProjectRoot, "scripts", "validate-kubernetes.js");

    public static string ModulesDirectory => Path.Combine(SharedData.ProjectRoot, ".tools", "kubernetes-validate", "node_modules");

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!Directory.Exists(Path.Combine(ModulesDirectory, "kubernetes-models")) || !Directory.Exists(Path.Combine(ModulesDirectory, "typescript")))
            return $"needs the Kubernetes manifest check in {ModulesDirectory}: run bash scripts/install-test-servers.sh";
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            node.StandardOutput.ReadToEnd();
            return node.WaitForExit(10_000) && node.ExitCode == 0 ? null : "node --version failed: run bash scripts/install-test-servers.sh";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"needs node to run {Script} ({e.Message}): run bash scripts/install-test-servers.sh";
        }
    });

    /// <summary>Null when node and the modules are there; otherwise why not (tests skip with it).</summary>
    public static string? UnavailableReason => Unavailable.Value;

    public static (int ExitCode, string Output) Run(params string[] paths)
    {
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("--modules");
        info.ArgumentList.Add(ModulesDirectory);
        foreach (var p in paths) info.ArgumentList.Add(p);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException("validate-kubernetes.js did not finish within 60 s"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>A fact that needs node and .tools/kubernetes-validate; skipped, saying why, without them.</summary>
public sealed class KubernetesValidatorFactAttribute : FactAttribute
{
    public KubernetesValidatorFactAttribute()
    {
        if (KubernetesValidator.UnavailableReason is { } reason) Skip = reason;
    }
}
