using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// What a lease import (<see cref="Memfile.LeaseFileImport"/>) asks of the store it copies into: a check of each
/// lease before anything is written, which addresses are taken, and batches of writes. A database writes a batch
/// in one transaction of its own; <see cref="LeaseStoreImportTarget"/> gives any other store these operations.
/// </summary>
internal interface ILeaseImportTarget
{
    /// <summary>Throws <see cref="InvalidOperationException"/> for a lease the store cannot hold.</summary>
    void ThrowIfNotStorable(Lease6 lease);

    /// <summary>Those of <paramref name="addresses"/> that have a lease in the store.</summary>
    ValueTask<IReadOnlyList<Ipv6Address>> FindExistingAsync(IReadOnlyList<Ipv6Address> addresses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="leases"/>, durable when this returns. A lease at an address that has one already
    /// replaces it when <paramref name="replaceExisting"/>; otherwise the batch fails (<see cref="InvalidOperationException"/>).
    /// A database writes all of the batch or none of it.
    /// </summary>
    ValueTask WriteBatchAsync(IReadOnlyList<Lease6> leases, bool replaceExisting, CancellationToken cancellationToken = default);
}
