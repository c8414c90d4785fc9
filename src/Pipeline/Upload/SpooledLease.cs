using System.Text.Json;
using Vision.Models;
using Vision.Pipeline.Evidence;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Upload;

/// <summary>
/// <c>lease.json</c> in a case's spool folder, in a cluster: the camera lease (node and token) the case was raised
/// under. It is written with the photos, before the manifest, so a case whose node was killed after its files were
/// complete but before it reached the case store is recovered at the node's next start under the same fence as a live
/// one: written only while that lease is still the camera's, never after the camera moved to another node.
/// </summary>
internal static class SpooledLease
{
    public const string FileName = "lease.json";

    private sealed record LeaseFile(string Node, long Token);

    public static void Write(string caseDirectory, CaseFence fence)
    {
        Directory.CreateDirectory(caseDirectory);
        string path = Path.Combine(caseDirectory, FileName);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(new LeaseFile(fence.NodeId, fence.LeaseToken), CaseJson.Options));
    }

    /// <summary>The lease the case in <paramref name="caseDirectory"/> was raised under; null when it was raised outside a cluster.</summary>
    /// <exception cref="FormatException">The file is there but cannot be read.</exception>
    public static CaseFence? Read(string caseDirectory)
    {
        string path = Path.Combine(caseDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var lease = JsonSerializer.Deserialize<LeaseFile>(File.ReadAllBytes(path), CaseJson.Options);
            if (lease is null || string.IsNullOrEmpty(lease.Node)) throw new FormatException($"{path} names no node");
            return new CaseFence(lease.Node, lease.Token);
        }
        catch (JsonException e) { throw new FormatException($"{path} is not a lease file: {e.Message}", e); }
    }
}
