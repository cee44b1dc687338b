using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Server.Reservations;

/// <summary>
/// A database of host reservations consulted after the configuration's own (Kea's alternate host sources, such as
/// a <c>hosts-database</c>). Subnet id 0 stands for global reservations, as in Kea's tables. Every lookup asks the
/// database, so reservations written by another server or by an operator are seen at once.
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
}
