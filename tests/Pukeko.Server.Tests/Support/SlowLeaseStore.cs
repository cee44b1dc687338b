using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// A store that behaves like one across a network: every call completes asynchronously, and the window between
/// "does this client have a lease?" and "add one" is widened, so races and the pipeline's asynchronous paths show.
/// </summary>
internal sealed class SlowLeaseStore(ILeaseStore inner) : DelegatingLeaseStore(inner)
{
    public override async ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await Inner.GetAsync(address, cancellationToken);
    }

    public override async ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default)
    {
        var result = await Inner.GetByClientAsync(duid, iaid, type, cancellationToken);
        await Task.Delay(5, cancellationToken);
        return result;
    }

    public override ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) => Later(Inner.GetByDuidAsync(duid, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) => Later(Inner.GetByHardwareAddressAsync(hardwareAddress, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default) => Later(Inner.GetByHostnameAsync(hostname, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) => Later(Inner.GetBySubnetAsync(subnetId, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) => Later(Inner.GetByStateAsync(state, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default) => Later(Inner.GetPageAsync(after, limit, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default) => Later(Inner.GetExpiredAsync(now, max, cancellationToken));

    public override ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default) => Later(Inner.GetAllAsync(cancellationToken));

    public override ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default) => Later(Inner.CountAsync(subnetId, cancellationToken));

    public override ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default) => Later(Inner.CountRangeAsync(first, last, cancellationToken));

    public override ILeaseUnitOfWork BeginWork() => new SlowUnitOfWork(Inner.BeginWork());

    private static async ValueTask<T> Later<T>(ValueTask<T> result)
    {
        await Task.Yield();
        return await result;
    }

    private sealed class SlowUnitOfWork(ILeaseUnitOfWork inner) : ILeaseUnitOfWork
    {
        public ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default) => Later(inner.InsertAsync(lease, cancellationToken));

        public ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default) => Later(inner.UpdateAsync(expected, updated, cancellationToken));

        public ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default) => Later(inner.DeleteAsync(expected, cancellationToken));

        public ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default) => Later(inner.DeleteExpiredReclaimedAsync(olderThan, cancellationToken));

        public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            await inner.CommitAsync(cancellationToken);
        }

        public ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default) => Later(inner.AbandonAsync(cancellationToken));

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
