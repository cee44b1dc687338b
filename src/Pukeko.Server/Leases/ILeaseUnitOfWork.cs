namespace Pukeko.Server.Leases;

/// <summary>
/// The lease writes of one packet, command or reclamation batch. Each write is conditional and answers at once
/// whether it happened (an insert fails when the address is taken; an update or delete fails when the stored
/// lease is no longer the version the caller read), so two workers or two servers sharing a database never both
/// get one address. <see cref="CommitAsync"/> makes every write of the unit durable at once: a lease is
/// acknowledged to a client only after it returns. Not thread-safe: one packet uses it at a time.
/// </summary>
internal interface ILeaseUnitOfWork : IAsyncDisposable
{
    /// <summary>Stores a copy of a new lease; <see cref="LeaseWriteResult.Conflict"/> when its address is taken.</summary>
    ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored lease with a copy of <paramref name="updated"/> (same address), only if the stored lease
    /// is still the version the caller read (<paramref name="expected"/>, see <see cref="Lease6.IsSameVersion"/>).
    /// </summary>
    ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default);

    /// <summary>Removes the stored lease, only if it is still the version the caller read.</summary>
    ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes reclaimed leases whose <c>Expire &lt; olderThan</c> (callers pass <c>now - hold-reclaimed-time</c>);
    /// returns the leases deleted.
    /// </summary>
    ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default);

    /// <summary>Makes the unit's writes durable (for memfile: handed to the OS in one write).</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the unit without <see cref="CommitAsync"/>: a store that can undo writes undoes them and answers true;
    /// one whose writes took effect at once (memfile, as in Kea) commits them instead and answers false.
    /// </summary>
    ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default);
}
