using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// The one place where leases change. Every writer — the packet pipeline, reclamation, decline
/// recovery and the lease commands — goes through it, so every committed change becomes one
/// <see cref="LeaseChange"/> that observers (statistics now; HA, DDNS and forensic logging next)
/// see exactly once. Updates and deletes are conditional on the lease the caller read, so a
/// concurrent change (another worker, another server on a shared database) is reported as a
/// <see cref="LeaseWriteResult.Conflict"/>, never silently overwritten.
/// </summary>
public sealed class LeaseWriter(ILeaseStore store, ILogger logger)
{
    private readonly Lock _subscriptions = new();
    private ILeaseChangeObserver[] _observers = [];

    public ILeaseStore Store => store;

    /// <summary>Adds an observer; it sees the changes committed after this call.</summary>
    public void Subscribe(ILeaseChangeObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_subscriptions)
        {
            _observers = [.. _observers, observer];
        }
    }

    public void Unsubscribe(ILeaseChangeObserver observer)
    {
        lock (_subscriptions)
        {
            _observers = [.. _observers.Where(o => !ReferenceEquals(o, observer))];
        }
    }

    /// <summary>
    /// Stores a lease on a free address; <see cref="LeaseWriteResult.Conflict"/> when the address is
    /// taken (use <see cref="Update"/> to take over someone's expired lease).
    /// </summary>
    public LeaseWriteResult Insert(Lease6 lease, LeaseChangeReason reason)
    {
        if (!store.Add(lease))
        {
            return LeaseWriteResult.Conflict;
        }

        Publish(new LeaseChange(null, lease.Clone(), reason));
        return LeaseWriteResult.Written;
    }

    /// <summary>Replaces <paramref name="expected"/> (as the caller read it) with <paramref name="updated"/> (same address).</summary>
    public LeaseWriteResult Update(Lease6 expected, Lease6 updated, LeaseChangeReason reason)
    {
        var result = store.Update(expected, updated);
        if (result == LeaseWriteResult.Written)
        {
            Publish(new LeaseChange(expected.Clone(), updated.Clone(), reason));
        }

        return result;
    }

    /// <summary>Removes <paramref name="expected"/> (as the caller read it).</summary>
    public LeaseWriteResult Delete(Lease6 expected, LeaseChangeReason reason)
    {
        var result = store.Delete(expected);
        if (result == LeaseWriteResult.Written)
        {
            Publish(new LeaseChange(expected.Clone(), null, reason));
        }

        return result;
    }

    /// <summary>Removes the expired-reclaimed leases that expired before <paramref name="olderThan"/>.</summary>
    public int FlushReclaimed(long olderThan)
    {
        var removed = store.DeleteExpiredReclaimed(olderThan);
        foreach (var lease in removed)
        {
            Publish(new LeaseChange(lease, null, LeaseChangeReason.Flushed));
        }

        return removed.Count;
    }

    private void Publish(in LeaseChange change)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnLeaseChanged(change);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The lease is committed; an observer's fault must not undo or fail the exchange.
                logger.LogError(new EventId(0, "DHCPSRV_LEASE_OBSERVER_FAILED"), ex, "a lease change observer ({Observer}) failed on {Address}: {Reason}", observer.GetType().Name, change.Address, ex.Message);
            }
        }
    }

    /// <summary>The lease for an address, as stored now (a private copy).</summary>
    public Lease6? Get(Ipv6Address address) => store.Get(address);
}
