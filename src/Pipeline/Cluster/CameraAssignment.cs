using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vision.Pipeline.Cluster;

/// <summary>A live node and its weight (the cameras it can carry).</summary>
internal readonly record struct NodeWeight(string NodeId, int Capacity);

/// <summary>
/// Which node should analyse a camera: weighted rendezvous (highest random weight) hashing. Every node computes the
/// same answer from the same list of live nodes, without talking to the others; a node joining takes over only the
/// cameras it now scores highest on (about its share), and a node leaving gives only its own cameras away, so
/// membership changes move the fewest cameras.
/// </summary>
internal static class CameraAssignment
{
    public static string OwnerOf(string cameraId, IReadOnlyList<NodeWeight> nodes)
    {
        if (nodes.Count == 0) throw new ArgumentException("no live node", nameof(nodes));
        string best = nodes[0].NodeId;
        double bestScore = double.NegativeInfinity;
        foreach (var node in nodes)
        {
            double score = Score(cameraId, node);
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(node.NodeId, best) < 0)) (best, bestScore) = (node.NodeId, score);
        }
        return best;
    }

    /// <summary>-capacity / ln(u), u uniform in (0, 1) from the hash of camera and node: the weighted form of rendezvous hashing.</summary>
    private static double Score(string cameraId, NodeWeight node)
    {
        ulong hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{cameraId}\n{node.NodeId}")));
        double u = ((hash >> 11) + 0.5) / (1UL << 53);
        return -Math.Max(1, node.Capacity) / Math.Log(u);
    }
}
