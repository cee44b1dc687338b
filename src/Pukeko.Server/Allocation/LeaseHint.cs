using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Allocation;

/// <summary>
/// What the client put in an IAADDR or IAPREFIX: the address or prefix it would like, the prefix
/// length (128 for addresses; 0 = any length) and the lifetimes it suggests (0 = no preference).
/// </summary>
internal readonly record struct LeaseHint(Ipv6Address Address, byte Length, uint Preferred, uint Valid)
{
    /// <summary>No hint at all.</summary>
    public static LeaseHint None => new(Ipv6Address.Any, 0, 0, 0);
}
