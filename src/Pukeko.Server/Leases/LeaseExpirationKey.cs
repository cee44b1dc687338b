using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// Sort key of the expiration indexes: expiration time first, address as tie-breaker so keys are unique.
/// </summary>
internal readonly record struct LeaseExpirationKey(long Expire, Ipv6Address Address) : IComparable<LeaseExpirationKey>
{
    public int CompareTo(LeaseExpirationKey other)
    {
        var byExpire = Expire.CompareTo(other.Expire);
        return byExpire != 0 ? byExpire : Address.CompareTo(other.Address);
    }
}
