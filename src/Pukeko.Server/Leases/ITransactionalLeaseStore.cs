using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// A store that can also write many leases all or nothing (a database). The server's own units of work commit each
/// write at once, as Kea's do; a migration copy, run while no server uses the store, writes in batches, each batch
/// all or nothing.
/// </summary>
internal interface ITransactionalLeaseStore : ILeaseStore
{
    /// <summary>A unit whose writes share one transaction: <see cref="ILeaseUnitOfWork.AbandonAsync"/> undoes them all.</summary>
    ILeaseUnitOfWork BeginTransaction();

    /// <summary>Throws <see cref="InvalidOperationException"/> for a lease the store cannot hold (checked before a copy writes anything).</summary>
    void ThrowIfNotStorable(Lease6 lease);

    /// <summary>Those of <paramref name="addresses"/> that have a lease in the store, in one query.</summary>
    ValueTask<IReadOnlyList<Ipv6Address>> FindExistingAsync(IReadOnlyList<Ipv6Address> addresses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="leases"/> in one transaction of their own, committed when this returns. A lease at an
    /// address that has one already replaces it when <paramref name="replaceExisting"/>; otherwise the batch fails
    /// (<see cref="InvalidOperationException"/>) and writes nothing.
    /// </summary>
    ValueTask WriteBatchAsync(IReadOnlyList<Lease6> leases, bool replaceExisting, CancellationToken cancellationToken = default);
}
