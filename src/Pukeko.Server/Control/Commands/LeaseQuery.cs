using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Control.Commands;

/// <summary>How <c>lease6-get</c>/<c>lease6-del</c> identify a lease: by address, or by (subnet, DUID, IAID, type).</summary>
internal sealed record LeaseQuery(Ipv6Address? Address, LeaseType Type, uint SubnetId, byte[]? Duid, uint Iaid)
{
    public Lease6? Find(ILeaseStore store)
    {
        if (Address is { } address)
        {
            var lease = store.Get(address);
            return lease is not null && lease.Type == Type ? lease : null;
        }

        return store.GetByClient(Duid, Iaid, Type).FirstOrDefault(l => l.SubnetId == SubnetId);
    }
}
