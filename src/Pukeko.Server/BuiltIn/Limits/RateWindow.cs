namespace Pukeko.Server.BuiltIn.Limits;

/// <summary>
/// The times of the packets honored under one rate limit (one class, spawned class or subnet), oldest first. A packet
/// is honored when fewer than the allowed number were honored in the last unit of time; a dropped packet is not
/// recorded, so a flood does not keep its sender locked out once it slows down (Kea's sliding window).
/// Not thread-safe: the owner locks.
/// </summary>
internal sealed class RateWindow
{
    private readonly Queue<long> _honored = new();

    /// <summary>Packets honored in the current window.</summary>
    public int Count => _honored.Count;

    /// <summary>Forgets the packets older than one unit before <paramref name="nowTicks"/>; true when there is room for one more.</summary>
    public bool HasRoom(RateLimit limit, long nowTicks)
    {
        // A packet exactly one unit old still counts, as in Kea (expired only when time + unit < now).
        while (_honored.TryPeek(out var oldest) && oldest + limit.Unit.Ticks < nowTicks)
        {
            _honored.Dequeue();
        }

        return _honored.Count < limit.AllowedPackets;
    }

    /// <summary>Records a packet honored at <paramref name="nowTicks"/>.</summary>
    public void Record(long nowTicks)
    {
        _honored.Enqueue(nowTicks);
        Newest = nowTicks;
    }

    /// <summary>When the last packet was honored (0: never).</summary>
    public long Newest { get; private set; }

    /// <summary>True when every packet honored has expired: the window is then the same as a new one.</summary>
    public bool IsIdle(RateLimit limit, long nowTicks) => Newest + limit.Unit.Ticks < nowTicks;
}
