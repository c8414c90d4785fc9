using System.Globalization;
using System.Text;
using Vision.Rules.Config;

namespace Vision.TakeoverBench;

/// <summary>
/// The vision.yaml of one node: the same database, cluster settings and cameras on every node (as in a city's
/// ConfigMap), its own evidence spool and recordings, one evidence store folder for all.
/// </summary>
public static class NodeConfig
{
    public static string Yaml(TakeoverOptions options, string clip, string workDirectory, string storeDirectory)
    {
        var inv = CultureInfo.InvariantCulture;
        var yaml = new StringBuilder();
        yaml.Append("detector: { model: yolox_nano }\n");
        yaml.Append("database: { backend: postgres, connection_string_env: VISION_DATABASE_URL }\n");
        yaml.Append(inv, $"cluster: {{ capacity: 10, lease: {ConfigDuration.Format(options.Lease)}, heartbeat: {ConfigDuration.Format(options.Heartbeat)} }}\n");
        yaml.Append(inv, $"evidence: {{ directory: {workDirectory}/evidence, pre_roll: 2s, post_roll: 2s, store: {{ type: local, directory: {storeDirectory} }} }}\n");
        yaml.Append(inv, $"recording: {{ directory: {workDirectory}/recordings, keep: 30s }}\n");
        yaml.Append("cameras:\n");
        foreach (string id in CameraIds(options.Cameras))
        {
            yaml.Append(inv, $"  - id: {id}\n");
            yaml.Append(inv, $"    name: 测试路口 {id}\n");
            yaml.Append(inv, $"    source: {clip}\n");
            yaml.Append("    analysis: { fps: 1, max_width: 640, decode: keyframes }\n");
            yaml.Append("    zones:\n");
            yaml.Append("      - { id: table-top, name: 桌面, polygon: [[0.0, 0.70], [1.0, 0.70], [1.0, 1.0], [0.0, 1.0]] }\n");
            yaml.Append("    rules:\n");
            yaml.Append(inv, $"      - {{ id: litter-{id}, type: litter, zones: [table-top], classes: [bottle], anchor: bottom_center, dwell: 4s, cooldown: 10m }}\n");
        }
        return yaml.ToString();
    }

    public static IEnumerable<string> CameraIds(int count) =>
        Enumerable.Range(1, count).Select(i => "cam-" + i.ToString("00", CultureInfo.InvariantCulture));
}
