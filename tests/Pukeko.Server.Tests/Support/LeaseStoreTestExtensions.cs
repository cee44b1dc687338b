using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Tests.Support;

/// <summary>
/// Synchronous forms of the asynchronous lease store, writer and reclaimer calls, for tests on the memfile store
/// (which completes synchronously): each write is its own committed unit of work.
/// </summary>
internal static class LeaseStoreTestExtensions
{
    extension(ILeaseStore store)
    {
        public int Count => (int)store.CountAsync(null).AsTask().GetAwaiter().GetResult().Sum(c => c.Count);
    }

    public static Lease6? Get(this ILeaseStore store, Ipv6Address address) => Wait(store.GetAsync(address));

    public static IReadOnlyList<Lease6> GetByClient(this ILeaseStore store, byte[] duid, uint iaid, LeaseType type) => Wait(store.GetByClientAsync(duid, iaid, type));

    public static IReadOnlyList<Lease6> GetByDuid(this ILeaseStore store, byte[] duid) => Wait(store.GetByDuidAsync(duid));

    public static IReadOnlyList<Lease6> GetByHardwareAddress(this ILeaseStore store, byte[] hardwareAddress) => Wait(store.GetByHardwareAddressAsync(hardwareAddress));

    public static IReadOnlyList<Lease6> GetByHostname(this ILeaseStore store, string hostname) => Wait(store.GetByHostnameAsync(hostname));

    public static IReadOnlyList<Lease6> GetBySubnet(this ILeaseStore store, uint subnetId) => Wait(store.GetBySubnetAsync(subnetId));

    public static IReadOnlyList<Lease6> GetByState(this ILeaseStore store, LeaseState state) => Wait(store.GetByStateAsync(state));

    public static IReadOnlyList<Lease6> GetPage(this ILeaseStore store, Ipv6Address? after, int limit) => Wait(store.GetPageAsync(after, limit));

    public static IReadOnlyList<Lease6> GetExpired(this ILeaseStore store, long now, int max) => Wait(store.GetExpiredAsync(now, max));

    public static IReadOnlyList<Lease6> GetAll(this ILeaseStore store) => Wait(store.GetAllAsync());

    public static IReadOnlyList<LeaseCount> CountRange(this ILeaseStore store, Ipv6Address first, Ipv6Address last) => Wait(store.CountRangeAsync(first, last));

    public static bool Add(this ILeaseStore store, Lease6 lease) => Write(store, work => work.InsertAsync(lease)) == LeaseWriteResult.Written;

    public static LeaseWriteResult Update(this ILeaseStore store, Lease6 expected, Lease6 updated) => Write(store, work => work.UpdateAsync(expected, updated));

    public static LeaseWriteResult Delete(this ILeaseStore store, Lease6 expected) => Write(store, work => work.DeleteAsync(expected));

    public static IReadOnlyList<Lease6> DeleteExpiredReclaimed(this ILeaseStore store, long olderThan) => Write(store, work => work.DeleteExpiredReclaimedAsync(olderThan));

    /// <summary>Store tests that only care about the outcome: write over whatever is stored now.</summary>
    public static bool Replace(this ILeaseStore store, Lease6 lease) =>
        store.Get(lease.Address) is { } current && store.Update(current, lease) == LeaseWriteResult.Written;

    public static bool Remove(this ILeaseStore store, Lease6 lease) =>
        store.Get(lease.Address) is { } current && store.Delete(current) == LeaseWriteResult.Written;

    public static Lease6? Get(this LeaseWriter writer, Ipv6Address address) => Wait(writer.GetAsync(address));

    public static LeaseWriteResult Insert(this LeaseWriter writer, Lease6 lease, LeaseChangeReason reason) => Write(writer, t => t.InsertAsync(lease, reason));

    public static LeaseWriteResult Update(this LeaseWriter writer, Lease6 expected, Lease6 updated, LeaseChangeReason reason) => Write(writer, t => t.UpdateAsync(expected, updated, reason));

    public static LeaseWriteResult Delete(this LeaseWriter writer, Lease6 expected, LeaseChangeReason reason) => Write(writer, t => t.DeleteAsync(expected, reason));

    public static int FlushReclaimed(this LeaseWriter writer, long olderThan) => Write(writer, t => t.FlushReclaimedAsync(olderThan));

    public static int Reclaim(this LeaseReclaimer reclaimer, ExpirationConfig config, Func<uint, Subnet6?> findSubnet, long now, bool unlimited = false, bool? removeOverride = null) =>
        Wait(reclaimer.ReclaimAsync(config, findSubnet, now, unlimited, removeOverride));

    public static int Flush(this LeaseReclaimer reclaimer, ExpirationConfig config, long now) => Wait(reclaimer.FlushAsync(config, now));

    public static void Recount(this LeaseStatistics statistics, IReadOnlyList<Subnet6> subnets, ILeaseStore store, long now)
    {
        _ = now;
        statistics.Recount(subnets, Wait(LeaseCountSnapshot.ReadAsync(store, subnets)));
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.AsTask().GetAwaiter().GetResult();

    private static T Write<T>(ILeaseStore store, Func<ILeaseUnitOfWork, ValueTask<T>> write)
    {
        var work = store.BeginWork();
        try
        {
            var result = Wait(write(work));
            work.CommitAsync().AsTask().GetAwaiter().GetResult();
            return result;
        }
        finally
        {
            work.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static T Write<T>(LeaseWriter writer, Func<LeaseTransaction, ValueTask<T>> write)
    {
        var work = writer.Begin();
        try
        {
            var result = Wait(write(work));
            work.CommitAsync().AsTask().GetAwaiter().GetResult();
            return result;
        }
        finally
        {
            work.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
