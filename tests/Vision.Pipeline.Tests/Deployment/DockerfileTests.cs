using System.Text.RegularExpressions;
using Vision.Pipeline.Cli;
using Vision.Pipeline.Tests.Dispatch;
using YamlDotNet.RepresentationModel;

namespace Vision.Pipeline.Tests.Deployment;

/// <summary>
/// The Dockerfile at the repository root, read as Docker reads it (Docker itself cannot run here): a Debian 12
/// runtime with the packages scripts/install-deps.sh installs, a non-root user, models from a volume, and a default
/// command the built `vision` accepts.
/// </summary>
public sealed partial class DockerfileTests
{
    private static string Root => SharedData.ProjectRoot;

    private static IReadOnlyList<DockerfileStage> Stages => DockerfileInstructions.Stages(File.ReadAllText(Path.Combine(Root, "Dockerfile")));

    private static DockerfileStage Runtime => Stages[^1];

    [Fact]
    public void Builds_with_the_net_10_sdk_and_runs_on_debian_12_bookworm()
    {
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", Stages[0].BaseImage);
        Assert.Matches(@"^(debian:bookworm(-slim)?|mcr\.microsoft\.com/dotnet/(aspnet|runtime|runtime-deps):10\.0-bookworm-slim)$", Runtime.BaseImage);
        Assert.Contains(Runtime.All("COPY"), c => c.StartsWith($"--from={Stages[0].Name} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_installs_every_package_of_install_deps_from_debian()
    {
        string script = File.ReadAllText(Path.Combine(Root, "scripts", "install-deps.sh"));
        var line = Assert.Single(AptInstallLine().Matches(script));
        var needed = line.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ffmpeg", needed);

        var installed = Runtime.All("RUN").Select(r => AptGetInstall().Match(r)).Where(m => m.Success)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => !w.StartsWith('-')).ToHashSet(StringComparer.Ordinal);
        Assert.All(needed, p => Assert.Contains(p, installed));
    }

    [Fact]
    public void Runs_as_a_non_root_user_with_models_from_a_volume()
    {
        string user = ImageUserId();
        Assert.NotEqual("0", user);
        Assert.Contains(Runtime.All("RUN"), r => r.Contains($"useradd --system --uid {user} ", StringComparison.Ordinal));

        Assert.Contains(Runtime.All("ENV"), e => Regex.IsMatch(e, @"(^|\s)VISION_MODELS=/models(\s|$)"));
        Assert.DoesNotContain(Stages.SelectMany(s => s.All("COPY")), c => c.Contains(".onnx", StringComparison.Ordinal) || c.Contains("ppocr", StringComparison.Ordinal));
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore"));
        Assert.Contains("models/*.onnx", ignored);
    }

    [Fact]
    public void Default_command_is_a_vision_run_the_built_cli_accepts_on_the_exposed_port()
    {
        var entrypoint = Runtime.ExecForm("ENTRYPOINT");
        var command = Runtime.ExecForm("CMD");
        Assert.Equal("vision", Path.GetFileName(Assert.Single(entrypoint)));
        Assert.Equal(["run", "--config", "/etc/vision/vision.yaml"], command.Take(3));
        var listen = new Uri(KubernetesManifestTests.ArgumentAfter(command, "--http"));
        Assert.Equal("0.0.0.0", listen.Host);
        Assert.Equal(listen.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(Runtime.All("EXPOSE")));

        var deployment = ManifestYaml.Single(Path.Combine(Root, "deploy", "kubernetes", "deployment.yaml"));
        var podArgs = deployment.Items("spec", "template", "spec", "containers", "0", "args").Select(a => ((YamlScalarNode)a).Value!).ToList();
        foreach (var args in new[] { command, podArgs })
            AssertVisionAccepts(args);
    }

    /// <summary>The image's user id (USER uid or uid:gid).</summary>
    internal static string ImageUserId()
    {
        string user = Assert.Single(Runtime.All("USER"));
        Assert.Matches("^[0-9]+(:[0-9]+)?$", user); // numeric, so runAsNonRoot can check it without /etc/passwd
        return user.Split(':')[0];
    }

    /// <summary>
    /// Runs the built vision with <paramref name="args"/>, the config replaced by a missing file: the command line
    /// parses (every option is known) and the run stops where it reads the config, with its usage exit code.
    /// </summary>
    private static void AssertVisionAccepts(IReadOnlyList<string> args)
    {
        var (helpExit, help) = VisionCli.Run([args[0], "--help"]);
        Assert.True(helpExit == 0, help);
        foreach (var option in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            Assert.Contains(option + " ", help, StringComparison.Ordinal);

        string missing = Path.Combine(Path.GetTempPath(), "vision-no-such-config-" + Guid.NewGuid().ToString("N"), "vision.yaml");
        var withMissingConfig = args.Select(a => a == "/etc/vision/vision.yaml" ? missing : a).ToArray();
        Assert.Contains(missing, withMissingConfig);
        var (exitCode, output) = VisionCli.Run(withMissingConfig);
        Assert.True(exitCode == CommandLineEntry.UserError, $"exit {exitCode}: {output}");
        Assert.Contains("config file not found", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"apt-install\.sh""? ([a-z0-9 .+-]+)\n")]
    private static partial Regex AptInstallLine();

    [GeneratedRegex(@"apt-get install ([^&;|]+)")]
    private static partial Regex AptGetInstall();
}
