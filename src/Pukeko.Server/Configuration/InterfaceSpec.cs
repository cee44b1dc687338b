using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration;

/// <summary>
/// One entry of <c>interfaces-config.interfaces</c>: <c>"*"</c> (all interfaces), <c>"eth0"</c>, or
/// <c>"eth0/2001:db8::1"</c> (listen on eth0 and also on that unicast address).
/// </summary>
internal sealed record InterfaceSpec(string Name, Ipv6Address? UnicastAddress)
{
    /// <summary>The wildcard name meaning "every suitable interface".</summary>
    public const string Wildcard = "*";

    public bool IsWildcard => Name == Wildcard;

    public override string ToString() => UnicastAddress is { } a ? $"{Name}/{a}" : Name;
}
