using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Leases.Memfile;

/// <summary>A replay into a dictionary by address, which keeps the lease objects.</summary>
internal sealed class LeaseDictionaryReplay(Dictionary<Ipv6Address, Lease6> leases) : ILeaseReplayTarget
{
    public void Put(Lease6 lease) => leases[lease.Address] = lease;

    public bool Delete(Ipv6Address address) => leases.Remove(address);
}
