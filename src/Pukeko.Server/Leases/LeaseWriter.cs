using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// The one place where leases change. Every writer — the packet pipeline, reclamation, decline
/// recovery and the lease commands — opens a <see cref="LeaseTransaction"/> here, so every committed
/// change becomes one <see cref="LeaseChange"/> that observers (statistics and <c>leases6_committed</c>
/// now; HA, DDNS and forensic logging next) see exactly once, after it is durable. Updates and deletes
/// are conditional on the lease the caller read, so a concurrent change (another worker, another server
/// on a shared database) is reported as a <see cref="LeaseWriteResult.Conflict"/>, never overwritten.
/// </summary>
internal sealed class LeaseWriter(ILeaseStore store, ILogger logger)
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

    /// <summary>Starts the writes of one packet, command or batch; commit it once, then dispose it.</summary>
    public LeaseTransaction Begin() => new(this, store.BeginWork());

    /// <summary>The lease for an address, as stored now (a private copy).</summary>
    public ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default) => store.GetAsync(address, cancellationToken);

    internal void Publish(List<LeaseChange> changes)
    {
        var observers = _observers;
        foreach (var change in changes)
        {
            foreach (var observer in observers)
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
    }

    internal void LogAbandonFailure(Exception ex) =>
        logger.LogError(new EventId(0, "DHCPSRV_LEASE_COMMIT_FAILED"), ex, "lease changes could not be committed: {Reason}", ex.Message);
}
