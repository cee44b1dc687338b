using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases;

/// <summary>
/// Where <c>LeaseFileLoader</c> replays a lease file: a later row for an address replaces the earlier lease, a
/// deletion row removes it. The server's own load replays straight into its index; cleanup and import into a
/// dictionary (<c>LeaseDictionaryReplay</c>).
/// </summary>
internal interface ILeaseReplayTarget
{
    /// <summary>Stores <paramref name="lease"/> (the target may keep the object), replacing any lease at its address.</summary>
    void Put(Lease6 lease);

    /// <summary>Removes the lease at <paramref name="address"/>; false if there is none.</summary>
    bool Delete(Ipv6Address address);
}
