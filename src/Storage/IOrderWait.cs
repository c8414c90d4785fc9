namespace Vision.Storage;

/// <summary>
/// How long after an older case's confirmation its camera's later cases wait for its evidence to be stored
/// (<c>dispatch.order_wait</c>): read at every look of the <see cref="Outbox"/>, so a reload applies.
/// </summary>
public interface IOrderWait
{
    TimeSpan OrderWait { get; }
}
