using System.Diagnostics;

namespace Vision.Pipeline.Tests.Dispatch;

/// <summary>Runs the built <c>vision</c> command line as a child process, as ops would.</summary>
internal static class VisionCli
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var (exitCode, stdout, stderr) = RunSplit(args);
        return (exitCode, stdout + stderr);
    }

    /// <summary>Runs it with extra environment variables (a database connection string, a new password).</summary>
    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (exitCode, stdout, stderr) = RunSplit(environment, args);
        return (exitCode, stdout + stderr);
    }

    /// <summary>Runs it and keeps standard output and standard error apart.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunSplit(params string[] args) => RunSplit(new Dictionary<string, string>(), args);

    public static (int ExitCode, string StdOut, string StdErr) RunSplit(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment) info.Environment[name] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vision.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(true); throw new TimeoutException("vision did not finish"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
