using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// The lease database. Implementations are thread-safe: many packet workers call them concurrently.
/// Every lease returned is a private copy — modifying it changes nothing until it is passed to
/// <see cref="Update"/>. Writers go through <see cref="LeaseWriter"/>, which tells observers. Mutating calls are durable (handed to the OS) before they return, so a
/// lease acknowledged to a client survives a server crash.
/// </summary>
public interface ILeaseStore : IDisposable
{
    /// <summary>The lease for an address (or prefix address), or null.</summary>
    Lease6? Get(Ipv6Address address);

    /// <summary>All leases of one IA: same DUID bytes, IAID and lease type.</summary>
    IReadOnlyList<Lease6> GetByClient(ReadOnlySpan<byte> duid, uint iaid, LeaseType type);

    /// <summary>All leases held by a DUID, any IA.</summary>
    IReadOnlyList<Lease6> GetByDuid(ReadOnlySpan<byte> duid);

    /// <summary>Stores a copy of a new lease; false if the address already has a lease.</summary>
    bool Add(Lease6 lease);

    /// <summary>
    /// Replaces the stored lease with a copy of <paramref name="updated"/> (same address), only if the
    /// stored lease is still the version the caller read (<paramref name="expected"/>, see
    /// <see cref="Lease6.IsSameVersion"/>); otherwise nothing changes and the answer says why.
    /// </summary>
    LeaseWriteResult Update(Lease6 expected, Lease6 updated);

    /// <summary>Removes the stored lease, only if it is still the version the caller read.</summary>
    LeaseWriteResult Delete(Lease6 expected);

    /// <summary>
    /// Leases due for reclamation: state other than <see cref="LeaseState.ExpiredReclaimed"/>, finite
    /// valid lifetime and <c>Expire &lt;= now</c>, oldest expiration first. <paramref name="max"/> 0 = unlimited.
    /// </summary>
    IReadOnlyList<Lease6> GetExpired(long now, int max);

    /// <summary>
    /// Deletes reclaimed leases whose <c>Expire &lt; olderThan</c> (callers pass <c>now - hold-reclaimed-time</c>).
    /// Returns the leases deleted.
    /// </summary>
    IReadOnlyList<Lease6> DeleteExpiredReclaimed(long olderThan);

    /// <summary>A snapshot of every lease.</summary>
    IReadOnlyList<Lease6> GetAll();

    /// <summary>Number of leases currently stored.</summary>
    int Count { get; }

    /// <summary>All leases of one subnet (<c>lease6-get-all</c> with subnets, <c>lease6-wipe</c>).</summary>
    IReadOnlyList<Lease6> GetBySubnet(uint subnetId);

    /// <summary>
    /// Up to <paramref name="limit"/> leases with addresses strictly above <paramref name="after"/> (null: from the
    /// lowest), in address order (<c>lease6-get-page</c>).
    /// </summary>
    IReadOnlyList<Lease6> GetPage(Ipv6Address? after, int limit);

    /// <summary>Leases whose hostname equals <paramref name="hostname"/>, ignoring case (DNS names are case-insensitive).</summary>
    IReadOnlyList<Lease6> GetByHostname(string hostname);

    /// <summary>Leases recorded with this hardware address (<c>lease6-get-by-hw-address</c>).</summary>
    IReadOnlyList<Lease6> GetByHardwareAddress(ReadOnlySpan<byte> hardwareAddress);

    /// <summary>Leases in one state (<c>lease6-get-by-state</c>).</summary>
    IReadOnlyList<Lease6> GetByState(LeaseState state);

    /// <summary>Leases with addresses in [<paramref name="first"/>, <paramref name="last"/>], in address order (a pool's range: statistics recount).</summary>
    IReadOnlyList<Lease6> GetRange(Ipv6Address first, Ipv6Address last);
}
