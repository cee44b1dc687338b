using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>Widens the window between "does this client have a lease?" and "add one", so races show.</summary>
internal sealed class SlowLeaseStore(ILeaseStore inner) : ILeaseStore
{
    public int Count => inner.Count;

    public Lease6? Get(Ipv6Address address) => inner.Get(address);

    public IReadOnlyList<Lease6> GetByClient(ReadOnlySpan<byte> duid, uint iaid, LeaseType type)
    {
        var result = inner.GetByClient(duid, iaid, type);
        Thread.Sleep(5);
        return result;
    }

    public IReadOnlyList<Lease6> GetByDuid(ReadOnlySpan<byte> duid) => inner.GetByDuid(duid);

    public bool Add(Lease6 lease) => inner.Add(lease);

    public LeaseWriteResult Update(Lease6 expected, Lease6 updated) => inner.Update(expected, updated);

    public LeaseWriteResult Delete(Lease6 expected) => inner.Delete(expected);

    public IReadOnlyList<Lease6> GetExpired(long now, int max) => inner.GetExpired(now, max);

    public IReadOnlyList<Lease6> DeleteExpiredReclaimed(long olderThan) => inner.DeleteExpiredReclaimed(olderThan);

    public IReadOnlyList<Lease6> GetAll() => inner.GetAll();

    public IReadOnlyList<Lease6> GetBySubnet(uint subnetId) => inner.GetBySubnet(subnetId);

    public IReadOnlyList<Lease6> GetPage(Ipv6Address? after, int limit) => inner.GetPage(after, limit);

    public IReadOnlyList<Lease6> GetByHostname(string hostname) => inner.GetByHostname(hostname);

    public IReadOnlyList<Lease6> GetByHardwareAddress(ReadOnlySpan<byte> hardwareAddress) => inner.GetByHardwareAddress(hardwareAddress);

    public IReadOnlyList<Lease6> GetByState(LeaseState state) => inner.GetByState(state);

    public IReadOnlyList<Lease6> GetRange(Ipv6Address first, Ipv6Address last) => inner.GetRange(first, last);

    public void Dispose()
    {
    }
}
