using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Control.Commands;

/// <summary>How <c>lease6-get</c>/<c>lease6-del</c> identify a lease: by address, or by (subnet, DUID, IAID, type).</summary>
internal sealed record LeaseQuery(Ipv6Address? Address, LeaseType Type, uint SubnetId, byte[]? Duid, uint Iaid)
{
    public async ValueTask<Lease6?> FindAsync(ILeaseStore store, CancellationToken cancellationToken)
    {
        if (Address is { } address)
        {
            var lease = await store.GetAsync(address, cancellationToken).ConfigureAwait(false);
            return lease is not null && lease.Type == Type ? lease : null;
        }

        var leases = await store.GetByClientAsync(Duid, Iaid, Type, cancellationToken).ConfigureAwait(false);
        return leases.FirstOrDefault(l => l.SubnetId == SubnetId);
    }
}
