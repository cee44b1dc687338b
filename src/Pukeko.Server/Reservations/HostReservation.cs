using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Reservations;

/// <summary>
/// One <c>reservations[]</c> entry: who (identifier) gets what (addresses, delegated prefixes, hostname, options,
/// classes). <see cref="SubnetId"/> is null for a global reservation. <see cref="Prefixes"/> is consumed by prefix
/// delegation (the pd allocator offers a client its reserved prefixes first).
/// </summary>
internal sealed class HostReservation
{
    public required HostIdentifierType IdentifierType { get; init; }

    public required byte[] Identifier { get; init; }

    public uint? SubnetId { get; init; }

    public IReadOnlyList<Ipv6Address> IpAddresses { get; init; } = [];

    public IReadOnlyList<Ipv6Prefix> Prefixes { get; init; } = [];

    /// <summary><c>excluded-prefixes</c>: the prefix excluded (RFC 6603) from each reserved prefix that has one.</summary>
    public IReadOnlyDictionary<Ipv6Prefix, Ipv6Prefix> ExcludedPrefixes { get; init; } = new Dictionary<Ipv6Prefix, Ipv6Prefix>();

    public string? Hostname { get; init; }

    public IReadOnlyList<OptionDescriptor> Options { get; init; } = [];

    public IReadOnlyList<string> ClientClasses { get; init; } = [];

    /// <summary><c>user-context</c>: the map's JSON text as given, or null. Not used in serving; a host database stores it.</summary>
    public string? UserContext { get; init; }

    /// <summary>
    /// True when both describe the same host: the same object, or (a host database builds a new object per lookup)
    /// the same identifier in the same subnet, which Kea's tables keep unique.
    /// </summary>
    public static bool SameHost(HostReservation? a, HostReservation? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null && a.IdentifierType == b.IdentifierType && a.SubnetId == b.SubnetId
            && a.Identifier.AsSpan().SequenceEqual(b.Identifier));

    public override string ToString() =>
        $"{HostIdentifierNames.ToKeaName(IdentifierType)}={HexText.Format(Identifier)}{(SubnetId is { } id ? $" subnet-id={id}" : " (global)")}";
}
