namespace Vision.Pipeline.Dispatch;

/// <summary>The outbox and the publisher's counters, for /metrics and /api/status.</summary>
internal sealed record DispatchStatus(int Pending, int DeadLetters, DateTimeOffset? OldestPending, long Delivered, long Retries, long DeadLettered, long RejectedByReceiver);
