using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vision.Pipeline.Evidence;
using Vision.Storage;
using Vision.Cases;

namespace Vision.ClusterBench;

/// <summary>
/// Case records as the pipeline writes them (a cases.jsonl line: photos with their originals, clip, manifest, the
/// plate and its readings), with as many evidence photos as keep a parking case with a plate near the target size
/// (at least one). Real records with four photos and the compliance checks are 3.8–5.3 KB; the target trades that
/// for loading speed. Each record is serialised once per violation as a template whose ids, times, hashes and plate
/// are then filled in per case: a million records in seconds, not minutes.
/// </summary>
public sealed partial class SyntheticRecords
{
    private static readonly TimeSpan Local = TimeSpan.FromHours(8);
    private static readonly string[] Provinces = ["京", "粤", "沪", "浙", "苏", "川"];
    private const string PlateLetters = "ABCDEFGH";
    private const string PlateCharacters = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static readonly string[] PhotoRoles = ["first_seen", "midway", "confirmation", "closeup"];

    // The template's slots, in the order Fill takes their values; hashes and codes follow.
    private const int CaseIdSlot = 0, CameraSlot = 1, RuleSlot = 2, StartSlot = 3, MiddleSlot = 4, ConfirmedSlot = 5,
        ClipStartSlot = 6, ClipEndSlot = 7, PrefixSlot = 8, PlateSlot = 9, RawPlateSlot = 10, FirstHashSlot = 11;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Violation, string Zone, bool Plate), Template> _templates = new();

    public SyntheticRecords(int targetBytes)
    {
        Photos = 1;
        var sample = new Random(1);
        var at = new DateTimeOffset(2026, 11, 23, 9, 0, 11, Local);
        while (Photos < PhotoRoles.Length)
        {
            int photos = Photos + 1;
            string json = Template.Of(Shape("illegal_parking", "kerb", true, photos)).Fill(Values("cam-042-20261123T090011-9520daf4", "cam-042", "illegal_parking-rule",
                at.AddSeconds(-180), at, "京A12345", photos, sample));
            if (Encoded(json) > targetBytes) break;
            Photos = photos;
        }
    }

    /// <summary>Evidence photos in every record.</summary>
    public int Photos { get; }

    public static int Encoded(string json) => System.Text.Encoding.UTF8.GetByteCount(json);

    /// <summary>A case id as the pipeline makes them: camera, local confirmation time, 8 hex digits.</summary>
    public static string CaseId(string cameraId, DateTimeOffset confirmedAt, long serial) =>
        string.Create(CultureInfo.InvariantCulture, $"{cameraId}-{confirmedAt.ToOffset(Local):yyyyMMdd'T'HHmmss}-{serial & 0xffffffffL:x8}");

    /// <summary>A plate as the store keeps it: province, letter, five characters (京A12345).</summary>
    public static string Plate(Random random)
    {
        Span<char> tail = stackalloc char[5];
        for (int i = 0; i < tail.Length; i++) tail[i] = PlateCharacters[random.Next(PlateCharacters.Length)];
        return Provinces[random.Next(Provinces.Length)] + PlateLetters[random.Next(PlateLetters.Length)] + new string(tail);
    }

    public string Json(string caseId, string cameraId, string ruleId, string violation, string zoneId, DateTimeOffset startedAt, DateTimeOffset confirmedAt, string? plate, Random random)
    {
        var template = _templates.GetOrAdd((violation, zoneId, plate is not null), key => Template.Of(Shape(key.Violation, key.Zone, key.Plate, Photos)));
        return template.Fill(Values(caseId, cameraId, ruleId, startedAt, confirmedAt, plate, Photos, random));
    }

    /// <summary>The spool's view of the same case: its photos and originals, the clip, the manifest last.</summary>
    public SpooledCase Spooled(string caseId, string cameraId, string ruleId, string violation, DateTimeOffset confirmedAt, Random random)
    {
        string prefix = EvidenceKeys.Prefix(cameraId, caseId, confirmedAt.ToOffset(Local));
        var objects = new List<SpooledObject>();
        for (int p = 1; p <= Photos; p++)
        {
            objects.Add(new SpooledObject($"photo-{p}.jpg", $"{prefix}photo-{p}.jpg", 180_000 + random.Next(60_000), Sha(random), "image/jpeg", PhotoRoles[p - 1]));
            objects.Add(new SpooledObject($"photo-{p}-original.jpg", $"{prefix}photo-{p}-original.jpg", 350_000 + random.Next(90_000), Sha(random), "image/jpeg", "original"));
        }
        objects.Add(new SpooledObject("clip.mp4", prefix + "clip.mp4", 4_000_000 + random.Next(2_000_000), Sha(random), "video/mp4", "clip"));
        objects.Add(new SpooledObject("manifest.json", prefix + "manifest.json", 2_000 + random.Next(500), Sha(random), "application/json", "manifest"));
        return new SpooledCase(caseId, cameraId, ruleId, violation, confirmedAt, prefix, objects);
    }

    private static string[] Values(string caseId, string cameraId, string ruleId, DateTimeOffset startedAt, DateTimeOffset confirmedAt, string? plate, int photos, Random random)
    {
        var start = startedAt.ToOffset(Local);
        var confirmed = confirmedAt.ToOffset(Local);
        var values = new string[FirstHashSlot + 3 * photos + 1];
        values[CaseIdSlot] = caseId;
        values[CameraSlot] = cameraId;
        values[RuleSlot] = ruleId;
        values[StartSlot] = Time(start);
        values[MiddleSlot] = Time(start + (confirmed - start) / 2);
        values[ConfirmedSlot] = Time(confirmed);
        values[ClipStartSlot] = Time(start.AddSeconds(-10));
        values[ClipEndSlot] = Time(confirmed.AddSeconds(5));
        values[PrefixSlot] = EvidenceKeys.Prefix(cameraId, caseId, confirmed);
        values[PlateSlot] = plate ?? "";
        values[RawPlateSlot] = plate is null ? "" : plate[..2] + "·" + plate[2..];
        for (int i = 0; i < 2 * photos + 1; i++) values[FirstHashSlot + i] = Sha(random);
        for (int i = 0; i < photos; i++) values[FirstHashSlot + 2 * photos + 1 + i] = Code(random);
        return values;
    }

    /// <summary>The record with a slot token (@@n@@) wherever a case's own value goes; box, scores and durations are the template's.</summary>
    private static string Shape(string violation, string zoneId, bool withPlate, int photos)
    {
        static string Slot(int n) => string.Create(CultureInfo.InvariantCulture, $"@@{n}@@");
        string folder = Slot(CaseIdSlot) + "/";
        string prefix = Slot(PrefixSlot);
        string[] taken = [Slot(StartSlot), Slot(MiddleSlot), Slot(ConfirmedSlot), Slot(ConfirmedSlot)];
        var list = new List<EvidencePhoto>();
        for (int p = 1; p <= photos; p++)
        {
            string name = $"photo-{p}";
            list.Add(new EvidencePhoto(folder + name + ".jpg", prefix + name + ".jpg", Slot(FirstHashSlot + 2 * (p - 1)), PhotoRoles[p - 1], taken[p - 1])
            {
                Original = new EvidenceOriginal(folder + name + "-original.jpg", prefix + name + "-original.jpg", Slot(FirstHashSlot + 2 * (p - 1) + 1)),
                Width = 1920,
                Height = 1080,
                Source = "recording",
                AntiForgeryCode = Slot(FirstHashSlot + 2 * photos + 1 + (p - 1)),
            });
        }
        var box = new PixelBox(1059, 434, 777, 605);
        string className = violation switch { "illegal_parking" => "car", "litter" => "bottle", _ => "person" };
        var record = new CaseRecord(Slot(CaseIdSlot), Slot(CameraSlot), "路口 " + Slot(CameraSlot), Slot(RuleSlot), Slot(RuleSlot), "c628c215", violation, zoneId,
            Slot(StartSlot), Slot(ConfirmedSlot), 184.5, [new CaseObject(17, className, 0.807, box)], new FrameSize(1920, 1080),
            new CaseEvidence(list, new EvidenceClip(folder + "clip.mp4", prefix + "clip.mp4", Slot(FirstHashSlot + 2 * photos), Slot(ClipStartSlot), Slot(ClipEndSlot), 199.9), null)
            {
                Manifest = folder + "manifest.json",
                ManifestKey = prefix + "manifest.json",
            })
        {
            Plate = withPlate
                ? new CasePlate(Slot(PlateSlot), 0.999, new PixelBox(1329, 728, 237, 69), folder + "photo-1-original.jpg",
                    [new CasePlateReading(folder + "photo-1-original.jpg", Slot(PlateSlot), Slot(RawPlateSlot), 0.998, new PixelBox(1329, 728, 237, 69), null)], null)
                : null,
        };
        return JsonSerializer.Serialize(record, CaseJson.Options);
    }

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string Sha(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string Code(Random random)
    {
        Span<char> code = stackalloc char[8];
        for (int i = 0; i < code.Length; i++) code[i] = PlateCharacters[random.Next(PlateCharacters.Length)];
        return new string(code);
    }

    /// <summary>Serialised JSON cut at its slot tokens: literal text, a slot, literal text, ...</summary>
    private sealed class Template(string[] literals, int[] slots)
    {
        public static Template Of(string json)
        {
            var parts = SlotToken().Split(json); // literal, slot number, literal, ...
            return new Template(
                parts.Where((_, i) => i % 2 == 0).ToArray(),
                parts.Where((_, i) => i % 2 == 1).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray());
        }

        public string Fill(string[] values)
        {
            int length = 0;
            foreach (string literal in literals) length += literal.Length;
            foreach (int slot in slots) length += values[slot].Length;
            return string.Create(length, values, (span, v) =>
            {
                int at = 0;
                for (int i = 0; i < literals.Length; i++)
                {
                    literals[i].CopyTo(span[at..]);
                    at += literals[i].Length;
                    if (i < slots.Length)
                    {
                        v[slots[i]].CopyTo(span[at..]);
                        at += v[slots[i]].Length;
                    }
                }
            });
        }
    }

    [GeneratedRegex("@@([0-9]+)@@")]
    private static partial Regex SlotToken();
}
