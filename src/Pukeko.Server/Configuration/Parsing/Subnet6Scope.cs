using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Configuration.Parsing;

/// <summary>Where a reservations list sits: a subnet (id and prefix) or global (both null).</summary>
internal readonly record struct Subnet6Scope(uint? SubnetId, Ipv6Prefix? Prefix)
{
    public static Subnet6Scope Global { get; } = new(null, null);
}
