using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenCvSharp;
using Vision.Pipeline.Evidence;
using Vision.Storage;
using Vision.Cases;

namespace Vision.Pipeline.Tests.Console;

/// <summary>
/// Fills a node's case database with many auto-captured cases in one transaction (for the console's 10,000-case
/// measurements), stored in the local evidence store. The newest <c>withPhotos</c> cases get a real JPEG photo and the
/// rest only their records, so the queue's first pages and the cases reviewed look complete.
/// </summary>
internal static class CaseSeeder
{
    public static IReadOnlyList<string> Seed(string evidenceDirectory, string cameraId, string ruleId, int count, int withPhotos, DateTimeOffset newest)
    {
        var db = new SqliteCaseDatabase(Path.Combine(evidenceDirectory, SqliteCaseDatabase.FileName)).Migrate();
        string store = Path.Combine(evidenceDirectory, "store");
        byte[] jpeg = Photo();
        string sha = Convert.ToHexStringLower(SHA256.HashData(jpeg));
        var ids = new List<string>(count);
        using var connection = db.OpenSqlite();
        using var tx = connection.BeginTransaction();
        for (int i = 0; i < count; i++)
        {
            var confirmed = newest.AddSeconds(-37 * i);
            string caseId = $"{cameraId}-{confirmed:yyyyMMdd'T'HHmmss}-{i:x8}";
            string prefix = EvidenceKeys.Prefix(cameraId, caseId, confirmed);
            bool photo = i < withPhotos;
            var photos = photo ? new List<EvidencePhoto> { new($"{caseId}/photo-1.jpg", prefix + "photo-1.jpg", sha, "confirmation", confirmed.ToString("O")) } : [];
            var record = new CaseRecord(caseId, cameraId, "测试路口", ruleId, "桌面垃圾", "v1", "litter", "table-top",
                confirmed.AddSeconds(-5).ToString("O"), confirmed.ToString("O"), 5, [new CaseObject(1, "bottle", 0.8, new PixelBox(10, 10, 50, 80))],
                new FrameSize(1280, 720), new CaseEvidence(photos, null, "seeded case without a clip") { ManifestKey = prefix + "manifest.json" });
            var objects = photo ? new List<SpooledObject> { new("photo-1.jpg", prefix + "photo-1.jpg", jpeg.Length, sha, "image/jpeg", "confirmation") } : [];
            objects.Add(new SpooledObject("manifest.json", prefix + "manifest.json", 2, new string('0', 64), "application/json", "manifest"));
            if (photo)
            {
                string path = Path.Combine(store, prefix.Replace('/', Path.DirectorySeparatorChar), "photo-1.jpg");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, jpeg);
            }
            long at = confirmed.ToUnixTimeMilliseconds();
            Execute(connection, tx, """
                INSERT INTO evidence_cases (case_id, camera_id, rule_id, violation, confirmed_at_ms, key_prefix, objects, bytes, state, spooled_at_ms, stored_at_ms)
                VALUES ($id, $camera, $rule, 'litter', $at, $prefix, $objects, 0, 'stored', $at, $at)
                """, ("$id", caseId), ("$camera", cameraId), ("$rule", ruleId), ("$at", at), ("$prefix", prefix), ("$objects", JsonSerializer.Serialize(objects, new JsonSerializerOptions(JsonSerializerDefaults.Web))));
            Execute(connection, tx, """
                INSERT INTO cases (case_id, camera_id, rule_id, violation, zone_id, started_at_ms, confirmed_at_ms, confidence, status, status_at_ms, record)
                VALUES ($id, $camera, $rule, 'litter', 'table-top', $start, $at, 0.8, 'auto_captured', $at, $record)
                """, ("$id", caseId), ("$camera", cameraId), ("$rule", ruleId), ("$start", at - 5000), ("$at", at), ("$record", JsonSerializer.Serialize(record, CaseJson.Options)));
            Execute(connection, tx, "INSERT INTO case_history (case_id, status, at_ms, actor) VALUES ($id, 'auto_captured', $at, 'vision')", ("$id", caseId), ("$at", at));
            ids.Add(caseId);
        }
        tx.Commit();
        return ids;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    /// <summary>A real 640×360 JPEG (a street-grey frame with a bottle-sized box) so photos decode in the browser.</summary>
    private static byte[] Photo()
    {
        using var image = new Mat(360, 640, MatType.CV_8UC3, new Scalar(90, 100, 110));
        Cv2.Rectangle(image, new Rect(300, 200, 40, 90), new Scalar(0, 200, 255), 3);
        Cv2.ImEncode(".jpg", image, out var jpeg);
        return jpeg;
    }
}
