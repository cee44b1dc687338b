using Pukeko.Server.Leases;

namespace Pukeko.Server.Tests.Support;

/// <summary>Store tests that only care about the outcome: write over whatever is stored now.</summary>
internal static class LeaseStoreTestExtensions
{
    public static bool Replace(this ILeaseStore store, Lease6 lease) =>
        store.Get(lease.Address) is { } current && store.Update(current, lease) == LeaseWriteResult.Written;

    public static bool Remove(this ILeaseStore store, Lease6 lease) =>
        store.Get(lease.Address) is { } current && store.Delete(current) == LeaseWriteResult.Written;
}
