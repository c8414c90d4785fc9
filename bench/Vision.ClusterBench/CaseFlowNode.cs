using Vision.Storage;

namespace Vision.ClusterBench;

/// <summary>
/// One node's case flow over its own <see cref="CaseDatabase"/>: every case goes the way a live case goes, one after
/// another. The case and its evidence row are recorded (<see cref="CaseStore.AddAsync"/>), the evidence is stored and
/// the case released to the outbox (<see cref="EvidenceCatalog.MarkStoredAsync"/>, on detection), and the publisher
/// takes the due message and marks it delivered (<see cref="Outbox.DueAsync"/>, <see cref="Outbox.MarkDeliveredAsync"/>).
/// The node has cameras of its own, so its message is always its camera's head.
/// </summary>
public sealed class CaseFlowNode(CaseDatabase database, int index, SyntheticRecords records)
{
    private const int CamerasPerNode = 20;
    private readonly CaseStore _cases = new(database);
    private readonly EvidenceCatalog _catalog = new(database);
    private readonly Outbox _outbox = new(database);
    private readonly string _name = $"node-{index:D2}";
    private readonly Random _random = new(index);
    private readonly HashSet<string> _noBusyCameras = [];
    private long _serial;

    public async Task RunAsync(int count, CancellationToken ct)
    {
        for (int i = 0; i < count; i++) await OneCaseAsync(ct);
    }

    private async Task OneCaseAsync(CancellationToken ct)
    {
        long serial = _serial++;
        string camera = $"{_name}-cam-{serial % CamerasPerNode:D2}";
        var confirmed = DateTimeOffset.UtcNow;
        var started = confirmed.AddSeconds(-(60 + _random.Next(600)));
        string caseId = SyntheticRecords.CaseId(camera, confirmed, serial);
        string plate = SyntheticRecords.Plate(_random);
        const string rule = "illegal_parking-rule";
        string json = records.Json(caseId, camera, rule, "illegal_parking", "kerb", started, confirmed, plate, _random);
        var spooled = records.Spooled(caseId, camera, rule, "illegal_parking", confirmed, _random);
        await _cases.AddAsync(new NewCase(caseId, camera, rule, "illegal_parking", "kerb", started, confirmed, 0.9, json) { Plate = plate }, spooled, confirmed, ct);

        await _catalog.MarkStoredAsync(caseId, DateTimeOffset.UtcNow, ReleasePolicy.OnDetection, ct);

        // Other nodes' heads are due too (they share the outbox); this node delivers its own.
        var due = await _outbox.DueAsync(DateTimeOffset.UtcNow, 64, _noBusyCameras, ct);
        var message = due.FirstOrDefault(m => m.CaseId == caseId)
            ?? throw new InvalidOperationException($"{_name}: case {caseId} was released but its message is not among the {due.Count} due");
        await _outbox.MarkDeliveredAsync(message, DateTimeOffset.UtcNow, 201, $"DC-{caseId}", ct);
    }
}
