using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Reservations;

/// <summary>
/// A database of host reservations consulted after the configuration's own (Kea's alternate host sources, such as
/// a <c>hosts-database</c>). Subnet id 0 stands for global reservations, as in Kea's tables. Every lookup asks the
/// database, so reservations written by another server, by an operator or by this server's host commands are seen at
/// once. The host commands also list, add and delete hosts here (Kea's <c>"operation-target": "database"</c>).
/// </summary>
internal interface IHostDataSource : IAsyncDisposable
{
    /// <summary>
    /// The reservation for this identifier in the subnet (0: global), or null. Its options are encoded with
    /// <paramref name="definitions"/> (the running configuration's), as Kea encodes a host's options.
    /// </summary>
    ValueTask<HostReservation?> FindAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, OptionDefinitionSet definitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every host that has this address reserved in the subnet (0: global): none, one, or several when
    /// <c>ip-reservations-unique</c> is false (Kea's getAll6 by address).
    /// </summary>
    ValueTask<IReadOnlyList<HostReservation>> FindByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default);

    /// <summary>Every host that has this prefix reserved in the subnet (0: global), as <see cref="FindByAddressAsync"/>.</summary>
    ValueTask<IReadOnlyList<HostReservation>> FindByPrefixAsync(uint subnetId, Ipv6Prefix prefix, CancellationToken cancellationToken = default);

    /// <summary>The DHCPv6 hosts <paramref name="selection"/> names, in host id order, options encoded as in <see cref="FindAsync"/>.</summary>
    ValueTask<IReadOnlyList<StoredHost>> SelectAsync(HostSelection selection, OptionDefinitionSet definitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the host (its subnet, 0 when global) with its addresses, prefixes, options and classes, all or nothing.
    /// With <paramref name="uniqueReservations"/> (<c>ip-reservations-unique</c>) an address or prefix already
    /// reserved is refused. <see cref="HostDatabaseWriteException"/> when refused.
    /// </summary>
    ValueTask AddAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the host of the same identifier in the same subnet by <paramref name="host"/>, in one transaction;
    /// false (nothing changed) when there is none.
    /// </summary>
    ValueTask<bool> ReplaceAsync(HostReservation host, bool uniqueReservations, CancellationToken cancellationToken = default);

    /// <summary>Deletes the host of this identifier in the subnet (0: global); false when there is none.</summary>
    ValueTask<bool> DeleteAsync(uint subnetId, HostIdentifierType type, ReadOnlyMemory<byte> identifier, CancellationToken cancellationToken = default);

    /// <summary>Deletes every host of the subnet (0: global) reserving this address (or a prefix starting at it); false when none.</summary>
    ValueTask<bool> DeleteByAddressAsync(uint subnetId, Ipv6Address address, CancellationToken cancellationToken = default);
}
