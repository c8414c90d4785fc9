using System.Globalization;
using System.Text.RegularExpressions;
using Vision.Models;
using Vision.Rules.Config;
using YamlDotNet.RepresentationModel;

namespace Vision.Pipeline.Tests.Deployment;

/// <summary>
/// deploy/kubernetes says what Vision does: probes on the port `vision run --http` listens on, selectors that find the
/// pods, secrets the templates define, a vision.yaml Vision's own loader accepts, and a data volume large enough for
/// what the config lets a node write.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static string Folder => Path.Combine(SharedData.ProjectRoot, "deploy", "kubernetes");

    private static YamlMappingNode Deployment => ManifestYaml.Single(Path.Combine(Folder, "deployment.yaml"));

    private static YamlNode PodSpec => Deployment.At("spec", "template", "spec");

    private static YamlNode Container => Assert.Single(PodSpec.Items("containers"));

    private static IReadOnlyList<string> Args => Container.Items("args").Select(a => ((YamlScalarNode)a).Value!).ToList();

    private static int ContainerPort => int.Parse(Assert.Single(Container.Items("ports")).Text("containerPort"), CultureInfo.InvariantCulture);

    [Fact]
    public void Probes_ask_healthz_and_readyz_on_the_port_vision_run_listens_on()
    {
        var listen = new Uri(ArgumentAfter(Args, "--http"));
        Assert.Equal("0.0.0.0", listen.Host); // reachable from the kubelet and the Service, not only inside the pod
        Assert.Equal(ContainerPort, listen.Port);

        Assert.Equal("/healthz", Container.Text("startupProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Container.Text("readinessProbe", "httpGet", "path"));
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            Assert.Equal(ContainerPort, ResolvePort(Container.Text(probe, "httpGet", "port")));

        var annotations = Deployment.Map("spec", "template", "metadata", "annotations");
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal(ContainerPort.ToString(CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
    }

    [Fact]
    public void Service_and_disruption_budget_select_the_pods_of_the_deployment()
    {
        var podLabels = Deployment.Map("spec", "template", "metadata", "labels");
        Assert.Equal("3", Deployment.Text("spec", "replicas"));
        AssertSubset(Deployment.Map("spec", "selector", "matchLabels"), podLabels, "deployment selector");

        var service = ManifestYaml.Single(Path.Combine(Folder, "service.yaml"));
        Assert.Equal("ClusterIP", service.Text("spec", "type"));
        AssertSubset(service.Map("spec", "selector"), podLabels, "service selector");
        Assert.Equal(ContainerPort, ResolvePort(Assert.Single(service.Items("spec", "ports")).Text("targetPort")));

        var budget = ManifestYaml.Single(Path.Combine(Folder, "pdb.yaml"));
        Assert.Equal("1", budget.Text("spec", "maxUnavailable"));
        AssertSubset(budget.Map("spec", "selector", "matchLabels"), podLabels, "disruption budget selector");
    }

    [Fact]
    public void Pods_run_as_the_images_non_root_user_and_write_only_to_their_volumes()
    {
        var pod = PodSpec.At("securityContext");
        Assert.Equal("true", pod.Text("runAsNonRoot"));
        Assert.Equal(DockerfileTests.ImageUserId(), pod.Text("runAsUser"));
        Assert.Equal("true", Container.Text("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Container.Text("securityContext", "allowPrivilegeEscalation"));

        // With a read-only root, every folder Vision writes must be a writable volume.
        var writable = Container.Items("volumeMounts").Where(m => m.Find("readOnly") is not YamlScalarNode { Value: "true" }).Select(m => m.Text("mountPath")).ToList();
        var config = LoadedConfig();
        foreach (var folder in new[] { config.Evidence.Directory, config.Recording.Directory, "/tmp" })
            Assert.True(writable.Any(m => IsUnder(folder, m)), $"{folder} is on no writable volume (writable: {string.Join(", ", writable)})");
    }

    [Fact]
    public void Node_id_is_the_pod_name_and_every_secret_the_pod_reads_is_in_the_templates()
    {
        var env = Container.Items("env").ToDictionary(e => e.Text("name"), StringComparer.Ordinal);
        Assert.Equal("metadata.name", env["VISION_NODE_ID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("VISION_DATABASE_URL", ConfigMapYaml().At("database").Text("connection_string_env"));

        var templates = SecretTemplates();
        foreach (var name in new[] { "VISION_DATABASE_URL", "VISION_DISPATCH_KEY", "VISION_EVIDENCE_KEY", "VISION_OPS_TOKEN", "VISION_S3_ACCESS_KEY", "VISION_S3_SECRET_KEY" })
            Assert.NotNull(env[name].Find("valueFrom", "secretKeyRef"));
        foreach (var (name, variable) in env)
        {
            if (variable.Find("valueFrom", "secretKeyRef") is not { } reference || reference.Find("optional") is YamlScalarNode { Value: "true" }) continue;
            string secret = reference.Text("name"), key = reference.Text("key");
            Assert.True(templates.TryGetValue(secret, out var keys) && keys.ContainsKey(key), $"{name} reads secret {secret} key {key}, which secrets/ does not define");
        }
    }

    [Fact]
    public void Secret_templates_hold_marked_placeholders_and_no_real_looking_key()
    {
        foreach (var (secret, values) in SecretTemplates())
        foreach (var (key, value) in values)
        {
            Assert.True(value.Contains("REPLACE_ME", StringComparison.Ordinal), $"secret {secret} key {key} is not marked REPLACE_ME");
            var keyLike = KeyLikeToken().Matches(value.Replace("REPLACE_ME", " ", StringComparison.Ordinal))
                .Where(m => m.Value.Any(char.IsDigit) && m.Value.Any(char.IsLetter)).Select(m => m.Value).ToList();
            Assert.True(keyLike.Count == 0, $"secret {secret} key {key} holds what looks like a real key: {string.Join(", ", keyLike)}");
        }

        // Applying the folder must never replace real Secrets with the placeholders.
        var resources = ManifestYaml.Single(Path.Combine(Folder, "kustomization.yaml")).Items("resources").Select(r => ((YamlScalarNode)r).Value!);
        Assert.DoesNotContain(resources, r => r.Contains("secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ConfigMap_vision_yaml_loads_with_visions_config_loader_and_is_mounted_where_run_reads_it()
    {
        var config = LoadedConfig();

        Assert.Equal(EvidenceStoreType.S3, config.Evidence.Store.Type);
        Assert.NotNull(config.Dispatch);
        Assert.NotEmpty(config.Cameras);
        Assert.All(config.Cameras, c => Assert.Matches(@"^rtsp://[^/]*@192\.0\.2\.\d+[:/]", c.Source)); // documentation addresses only
        Assert.Equal("postgres", ConfigMapYaml().At("database").Text("backend"));

        // --config /etc/vision/vision.yaml: the ConfigMap's key, in the folder the ConfigMap volume is mounted on.
        string configPath = ArgumentAfter(Args, "--config");
        var configMap = ManifestYaml.Single(Path.Combine(Folder, "configmap.yaml"));
        Assert.True(configMap.At("data") is YamlMappingNode data && data.Children.ContainsKey(new YamlScalarNode(Path.GetFileName(configPath))));
        var volume = PodSpec.Items("volumes").Single(v => v.Find("configMap") is not null);
        Assert.Equal(configMap.Text("metadata", "name"), volume.Text("configMap", "name"));
        var mount = Container.Items("volumeMounts").Single(m => m.Text("name") == volume.Text("name"));
        Assert.Equal(Path.GetDirectoryName(configPath), mount.Text("mountPath"));
        Assert.Null(mount.Find("subPath")); // a subPath mount never sees ConfigMap edits
    }

    [SharedDataFact]
    public void ConfigMap_rules_name_only_classes_the_yolox_nano_model_detects()
    {
        var manifest = ModelLocator.LoadManifest("yolox_nano", null, [SharedData.ModelsDir, Path.Combine(AppContext.BaseDirectory, "models")]);

        ClassNameCheck.Validate(LoadedConfig(), manifest.ClassNames);
    }

    [Fact]
    public void Data_volume_holds_the_spool_and_the_recordings_of_a_node_carrying_a_failed_nodes_cameras()
    {
        var config = LoadedConfig();
        int camerasAfterFailure = CamerasAfterFailure();
        long needed = config.Evidence.SpoolMaxBytes + (long)camerasAfterFailure * config.Recording.MaxBytesPerCamera;

        var data = PodSpec.Items("volumes").Single(v => Container.Items("volumeMounts").Any(m => m.Text("name") == v.Text("name") && IsUnder(config.Evidence.Directory, m.Text("mountPath"))));
        long sizeLimit = ManifestYaml.Bytes(data.Text("emptyDir", "sizeLimit"));

        Assert.True(needed < sizeLimit, $"spool {config.Evidence.SpoolMaxBytes} + {camerasAfterFailure} cameras x {config.Recording.MaxBytesPerCamera} = {needed} bytes exceeds the data volume's sizeLimit {sizeLimit}: the pod would be evicted");
    }

    [Fact]
    public void Memory_limit_holds_the_decoders_of_a_node_carrying_a_failed_nodes_cameras()
    {
        // README "Measured here": Vision's own RSS reached 620 MB at 150 cameras; each 1080p camera's ffmpeg holds
        // 32-45 MB. The container's limit counts both, and an OOM kill during a takeover would pass the cameras on again.
        const long visionBytes = 620L << 20, decoderBytes = 45L << 20;
        long needed = visionBytes + CamerasAfterFailure() * decoderBytes;

        long limit = ManifestYaml.Bytes(Container.Text("resources", "limits", "memory"));

        Assert.True(needed < limit, $"{CamerasAfterFailure()} cameras need about {needed >> 20} MiB, over the memory limit of {limit >> 20} MiB");
    }

    /// <summary>Cameras per node when one of the replicas has failed and the others carry its share (rounded up).</summary>
    private static int CamerasAfterFailure()
    {
        int capacity = int.Parse(ConfigMapYaml().At("cluster").Text("capacity"), CultureInfo.InvariantCulture);
        int replicas = int.Parse(Deployment.Text("spec", "replicas"), CultureInfo.InvariantCulture);
        return (capacity * replicas + replicas - 2) / (replicas - 1);
    }

    /// <summary>The ConfigMap's vision.yaml through <see cref="VisionConfigLoader"/>, whole: every node loads exactly this.</summary>
    private static VisionConfig LoadedConfig() => VisionConfigLoader.Parse(ConfigMapText(), "deploy/kubernetes/configmap.yaml:vision.yaml");

    private static string ConfigMapText() => ManifestYaml.Single(Path.Combine(Folder, "configmap.yaml")).Text("data", "vision.yaml");

    private static YamlMappingNode ConfigMapYaml()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ConfigMapText()));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }


    /// <summary>Secret name to its keys and values, from every template in deploy/kubernetes/secrets.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> SecretTemplates()
    {
        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Folder, "secrets"), "*.yaml"))
        foreach (var doc in ManifestYaml.Documents(file))
        {
            Assert.Equal("Secret", doc.Text("kind"));
            Assert.Null(doc.Find("data")); // base64 would hide what the value is
            secrets[doc.Text("metadata", "name")] = doc.Map("stringData");
        }
        Assert.NotEmpty(secrets);
        return secrets;
    }

    internal static string ArgumentAfter(IReadOnlyList<string> args, string option)
    {
        int i = args.ToList().IndexOf(option);
        Assert.True(i >= 0 && i + 1 < args.Count, $"no {option} VALUE in [{string.Join(' ', args)}]");
        return args[i + 1];
    }

    private static int ResolvePort(string port)
    {
        if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number)) return number;
        var named = Container.Items("ports").SingleOrDefault(p => p.Find("name") is YamlScalarNode { Value: var n } && n == port);
        return named is null ? throw new Xunit.Sdk.XunitException($"no container port named '{port}'") : int.Parse(named.Text("containerPort"), CultureInfo.InvariantCulture);
    }

    private static void AssertSubset(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels, string what)
    {
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
            Assert.True(labels.TryGetValue(key, out var label) && label == value, $"{what} {key}={value} matches no pod label");
    }

    private static bool IsUnder(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    [GeneratedRegex("[A-Za-z0-9+/_=-]{20,}")]
    private static partial Regex KeyLikeToken();
}
