
namespace Vision.Pipeline.Tests.Deployment;

/// <summary>
/// deploy/kubernetes against the Kubernetes 1.27 OpenAPI shapes, offline (scripts/validate-kubernetes.js), and the same
/// check refusing manifests broken the way hands break them.
/// </summary>
public sealed class KubernetesValidationTests : IDisposable
{
    private static string ManifestFolder => Path.Combine(SharedData.ProjectRoot, "deploy", "kubernetes");

    private readonly string _dir = Directory.CreateTempSubdirectory("vision-k8s-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [KubernetesValidatorFact]
    public void Every_shipped_manifest_matches_the_kubernetes_api_shapes()
    {
        var (exitCode, output) = KubernetesValidator.Run(ManifestFolder);

        Assert.True(exitCode == 0, output);
        foreach (var (file, kind, name) in new[]
                 {
                     ("deployment.yaml", "Deployment", "vision"), ("service.yaml", "Service", "vision"), ("pdb.yaml", "PodDisruptionBudget", "vision"),
                     ("configmap.yaml", "ConfigMap", "vision-config"), ("models-pvc.yaml", "PersistentVolumeClaim", "vision-models"),
                     ("namespace.yaml", "Namespace", "vision"), ("kustomization.yaml", "Kustomization", "(no name)"),
                     ("vision-secrets.template.yaml", "Secret", "vision-database"), ("vision-secrets.template.yaml", "Secret", "vision-keys"),
                     ("vision-secrets.template.yaml", "Secret", "vision-s3"),
                 })
            Assert.Matches($@"{Regex(file)} \(document \d\) {kind} {Regex(name)}: ok", output);
    }

    [KubernetesValidatorFact]
    public void A_deployment_with_replicas_three_in_words_is_refused_with_file_kind_name_and_field()
    {
        string broken = Copy("deployment.yaml", yaml => yaml.Replace("replicas: 3", "replicas: \"three\"", StringComparison.Ordinal));

        var (exitCode, output) = KubernetesValidator.Run(broken);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{broken} (document 1) Deployment vision: spec.replicas: must be integer", output, StringComparison.Ordinal);
    }

    [KubernetesValidatorFact]
    public void A_misspelt_probe_is_refused_as_an_unknown_field_although_the_openapi_shapes_allow_extra_fields()
    {
        string broken = Copy("deployment.yaml", yaml => yaml.Replace("livenessProbe:", "livenesProbe:", StringComparison.Ordinal));

        var (exitCode, output) = KubernetesValidator.Run(broken);

        Assert.Equal(1, exitCode);
        Assert.Contains("Deployment vision: spec.template.spec.containers[0].livenesProbe: unknown field", output, StringComparison.Ordinal);
    }

    [KubernetesValidatorFact]
    public void A_probe_without_its_port_and_an_unknown_kind_are_refused()
    {
        string broken = Copy("deployment.yaml", yaml => yaml.Replace("""
                          path: /readyz
                          port: http
            """, """
                          path: /readyz
            """, StringComparison.Ordinal));
        File.AppendAllText(broken, "---\napiVersion: v1\nkind: Sekret\nmetadata:\n  name: typo\n");

        var (exitCode, output) = KubernetesValidator.Run(broken);

        Assert.Equal(1, exitCode);
        Assert.Contains("Deployment vision: spec.template.spec.containers[0].readinessProbe.httpGet: missing required field 'port'", output, StringComparison.Ordinal);
        Assert.Contains("(document 2) Sekret typo: apiVersion 'v1' kind 'Sekret' is not a Kubernetes 1.27 API type", output, StringComparison.Ordinal);
    }

    [KubernetesValidatorFact]
    public void A_kustomization_that_misses_a_manifest_beside_it_or_lists_a_missing_one_is_refused()
    {
        foreach (var file in Directory.EnumerateFiles(ManifestFolder, "*.yaml"))
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        string kustomization = Path.Combine(_dir, "kustomization.yaml");
        File.WriteAllText(kustomization, File.ReadAllText(kustomization).Replace("  - pdb.yaml\n", "  - pdb-typo.yaml\n", StringComparison.Ordinal));

        var (exitCode, output) = KubernetesValidator.Run(_dir);

        Assert.Equal(1, exitCode);
        Assert.Contains("resources: 'pdb-typo.yaml' does not exist", output, StringComparison.Ordinal);
        Assert.Contains("resources: pdb.yaml is beside the kustomization but not listed", output, StringComparison.Ordinal);
    }

    private string Copy(string manifest, Func<string, string> edit)
    {
        string original = File.ReadAllText(Path.Combine(ManifestFolder, manifest));
        string edited = edit(original);
        Assert.NotEqual(original, edited); // the edit must have found its text, or the test proves nothing
        string path = Path.Combine(_dir, manifest);
        File.WriteAllText(path, edited);
        return path;
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
