using Pukeko.Server.Leases;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Lease updates kept for the partner while this server is in <c>communication-recovery</c> (Kea's
/// <c>LeaseUpdateBacklog</c>): at most <c>delayed-updates-limit</c>; one more marks the backlog overflowed, and then
/// the partner must synchronise instead. Thread-safe.
/// </summary>
internal sealed class HaLeaseBacklog(int limit)
{
    private readonly Lock _gate = new();
    private readonly List<(bool Deleted, Lease6 Lease)> _updates = [];
    private bool _overflowed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _updates.Count;
            }
        }
    }

    /// <summary>More updates came than the limit allows since the backlog was last cleared.</summary>
    public bool Overflowed
    {
        get
        {
            lock (_gate)
            {
                return _overflowed;
            }
        }
    }

    /// <summary>Queues granted and deleted leases, deleted first (as Kea); false once the limit is exceeded.</summary>
    public bool Push(IReadOnlyList<Lease6> leases, IReadOnlyList<Lease6> deleted)
    {
        lock (_gate)
        {
            foreach (var (isDeleted, lease) in deleted.Select(l => (true, l)).Concat(leases.Select(l => (false, l))))
            {
                if (_updates.Count >= limit)
                {
                    _overflowed = true;
                    return false;
                }

                _updates.Add((isDeleted, lease));
            }

            return true;
        }
    }

    /// <summary>Takes every queued update, in order.</summary>
    public (List<Lease6> Leases, List<Lease6> Deleted) TakeAll()
    {
        lock (_gate)
        {
            var leases = _updates.Where(u => !u.Deleted).Select(u => u.Lease).ToList();
            var deleted = _updates.Where(u => u.Deleted).Select(u => u.Lease).ToList();
            _updates.Clear();
            return (leases, deleted);
        }
    }

    /// <summary>Empties the backlog and forgets an overflow (leaving communication-recovery).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _updates.Clear();
            _overflowed = false;
        }
    }
}
