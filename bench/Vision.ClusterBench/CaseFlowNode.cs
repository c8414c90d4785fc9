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
        // What the other nodes released last may still wait for a claimer: any node delivers any case.
        IReadOnlyList<OutboxMessage> due;
        while ((due = await _outbox.DueAsync(DateTimeOffset.UtcNow, 64, _noBusyCameras, ct)).Count > 0)
            foreach (var message in due) await _outbox.MarkDeliveredAsync(message, DateTimeOffset.UtcNow, 201, $"DC-{message.CaseId}", ct);
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

        // As the publisher does: claim a due head (any node's: they share the outbox, SKIP LOCKED keeps the claims
        // apart) and deliver it. One claim and one delivery per case released.
        foreach (var message in await _outbox.DueAsync(DateTimeOffset.UtcNow, 1, _noBusyCameras, ct))
            await _outbox.MarkDeliveredAsync(message, DateTimeOffset.UtcNow, 201, $"DC-{message.CaseId}", ct);
    }
}
