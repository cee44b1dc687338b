using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// The lease database, shaped for stores that are not in memory: every call may wait for I/O (a memory store
/// completes synchronously). Implementations are thread-safe: many packet workers call them concurrently.
/// Every lease returned is a private copy; changing it changes nothing until it is written through a unit of
/// work (<see cref="BeginWork"/>), which the engine does only through <see cref="LeaseWriter"/>.
/// </summary>
internal interface ILeaseStore : IDisposable
{
    /// <summary>The lease for an address (or prefix address), or null.</summary>
    ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default);

    /// <summary>All leases of one IA: same DUID bytes, IAID and lease type.</summary>
    ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="GetByClientAsync"/> added to <paramref name="into"/> (a list the allocation engine borrows per query),
    /// so a store that can gather them there spares an array per Request and Renew. A store that keeps leases in memory
    /// may fill <paramref name="rental"/>'s leases instead of new ones (see <see cref="LeaseRental"/>).
    /// </summary>
    async ValueTask AddByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, List<Lease6> into, LeaseRental? rental = null, CancellationToken cancellationToken = default)
    {
        var leases = await GetByClientAsync(duid, iaid, type, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < leases.Count; i++)
        {
            into.Add(leases[i]);
        }
    }

    /// <summary>All leases held by a DUID, any IA.</summary>
    ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default);

    /// <summary>Leases recorded with this hardware address (<c>lease6-get-by-hw-address</c>).</summary>
    ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default);

    /// <summary>Leases whose hostname equals <paramref name="hostname"/>, ignoring case (DNS names are case-insensitive).</summary>
    ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default);

    /// <summary>All leases of one subnet (<c>lease6-get-all</c> with subnets, <c>lease6-wipe</c>).</summary>
    ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default);

    /// <summary>Leases in one state (<c>lease6-get-by-state</c>).</summary>
    ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> leases with addresses strictly above <paramref name="after"/> (null: from the
    /// lowest), in address order (<c>lease6-get-page</c>).
    /// </summary>
    ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The next batch of leases due for reclamation: state other than <see cref="LeaseState.ExpiredReclaimed"/>,
    /// finite valid lifetime and <c>Expire &lt;= now</c>, oldest expiration first. <paramref name="max"/> 0 = unlimited.
    /// </summary>
    ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default);

    /// <summary>A snapshot of every lease (<c>lease6-get-all</c> without subnets, <c>lease6-write</c>).</summary>
    ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// How many leases there are per subnet, type and state (one subnet, or all when <paramref name="subnetId"/> is
    /// null), without reading the leases: what statistics need after a load or a reconfiguration.
    /// </summary>
    ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default);

    /// <summary>The same counts for the leases whose addresses lie in [<paramref name="first"/>, <paramref name="last"/>] (a pool).</summary>
    ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default);

    /// <summary>
    /// What <c>stat-lease6-get</c> reports for the subnets <paramref name="firstSubnetId"/> to
    /// <paramref name="lastSubnetId"/>, ordered by subnet, type and state: leases in state default per type, and
    /// declined addresses. A store whose database keeps Kea's own counters (PostgreSQL's <c>lease6_stat</c>, kept by
    /// Kea's triggers) reports those, as Kea does, so the answer shows what every server sharing it sees.
    /// </summary>
    ValueTask<IReadOnlyList<LeaseCount>> GetLeaseStatisticsAsync(uint firstSubnetId, uint lastSubnetId, CancellationToken cancellationToken = default);

    /// <summary>Starts a unit of work: the writes of one packet (or one command, one reclamation batch), committed once.</summary>
    ILeaseUnitOfWork BeginWork();

    /// <summary>
    /// Whether a lease can be kept in state <see cref="LeaseState.Released"/> (Kea 3.x's lease affinity). Kea 2.2's
    /// SQL schema has no such state, so there a release deletes the lease, as Kea 2.2 does.
    /// </summary>
    bool KeepsReleasedLeases => true;

    /// <summary>
    /// Whether every call is a round trip to another process (a database), so that asking first costs what the write
    /// itself costs. The allocation engine then inserts a new lease without reading its address first, and reads it
    /// only when the insert finds it taken.
    /// </summary>
    bool ReadsCostRoundTrips => false;
}
