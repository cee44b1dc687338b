using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Allocation;

/// <summary>Proposes candidate addresses or prefixes from a subnet's pools (Kea's Allocator).</summary>
internal interface ILeaseAllocator
{
    /// <summary>
    /// The next candidate of the given type among the pools <paramref name="allowed"/> accepts, or
    /// null when there is none. The caller checks whether the candidate is free.
    /// </summary>
    (Ipv6Address Address, ILeasePool Pool)? Pick(Subnet6 subnet, LeaseType type, PoolFilter allowed);

    /// <summary>Forgets all state (reconfiguration replaces the subnets).</summary>
    void Reset();
}
