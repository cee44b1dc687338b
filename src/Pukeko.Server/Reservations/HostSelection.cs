using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Reservations;

/// <summary>
/// Which hosts a host command reads from a host database: every condition given must hold (none given: every
/// DHCPv6 host). <see cref="SubnetId"/> 0 is the global reservations. Hosts come in host id order; with
/// <see cref="Limit"/>, at most that many, after <see cref="AfterHostId"/> (Kea's paging by host id).
/// </summary>
internal sealed record HostSelection
{
    public uint? SubnetId { get; init; }

    public HostIdentifierType? IdentifierType { get; init; }

    public byte[]? Identifier { get; init; }

    /// <summary>Compared without regard to case, as Kea's hostname index (<c>lower(hostname)</c>).</summary>
    public string? Hostname { get; init; }

    /// <summary>A reserved address, or the first address of a reserved prefix (any length), as Kea matches.</summary>
    public Ipv6Address? Address { get; init; }

    public long AfterHostId { get; init; }

    public int? Limit { get; init; }
}
