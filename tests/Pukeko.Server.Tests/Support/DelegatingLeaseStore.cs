using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>A lease store that hands every call to another; test stores override the calls they change.</summary>
internal abstract class DelegatingLeaseStore(ILeaseStore inner) : ILeaseStore
{
    protected ILeaseStore Inner => inner;

    public virtual ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default) => inner.GetAsync(address, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default) => inner.GetByClientAsync(duid, iaid, type, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) => inner.GetByDuidAsync(duid, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) => inner.GetByHardwareAddressAsync(hardwareAddress, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default) => inner.GetByHostnameAsync(hostname, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) => inner.GetBySubnetAsync(subnetId, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) => inner.GetByStateAsync(state, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default) => inner.GetPageAsync(after, limit, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default) => inner.GetExpiredAsync(now, max, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default) => inner.GetAllAsync(cancellationToken);

    public virtual ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default) => inner.CountAsync(subnetId, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default) => inner.CountRangeAsync(first, last, cancellationToken);

    public virtual ValueTask<IReadOnlyList<LeaseCount>> GetLeaseStatisticsAsync(uint firstSubnetId, uint lastSubnetId, CancellationToken cancellationToken = default) => inner.GetLeaseStatisticsAsync(firstSubnetId, lastSubnetId, cancellationToken);

    public virtual ILeaseUnitOfWork BeginWork() => inner.BeginWork();

    public virtual bool KeepsReleasedLeases => inner.KeepsReleasedLeases;

    public void Dispose()
    {
        // The inner store belongs to whoever made it.
    }
}
