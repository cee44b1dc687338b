using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Lease caching (digest §3.6, Kea's setLeaseReusable): a lease renewed soon after it was last
/// written is handed out again unchanged instead of being rewritten, as long as its age is within
/// <c>cache-threshold</c> × valid lifetime and, when set, <c>cache-max-age</c>.
/// </summary>
internal static class LeaseCache
{
    /// <summary>
    /// The lease as the client should hear it — the stored lease with what is left of its
    /// lifetimes — when it may be reused; null when it must be extended normally.
    /// </summary>
    /// <param name="rental">Where the lease handed out comes from: a query's own (<see cref="LeaseRental"/>), or a new copy when null.</param>
    public static Lease6? TryReuse(Lease6 stored, Lease6 renewed, Subnet6 subnet, long now, LeaseRental? rental = null)
    {
        // A changed name or DNS directions must be written (Kea's hasIdenticalFqdn test).
        if (stored.State != LeaseState.Default || stored.SubnetId != renewed.SubnetId || stored.PoolId != renewed.PoolId
            || stored.Hostname != renewed.Hostname || stored.FqdnForward != renewed.FqdnForward || stored.FqdnReverse != renewed.FqdnReverse)
        {
            return null;
        }

        // A threshold of 0 switches caching off (Kea treats an explicit 0 so, whatever cache-max-age says).
        if (subnet.CacheThreshold <= 0)
        {
            return null;
        }

        if (now < stored.Cltt)
        {
            return null; // the clock went backwards: don't trust the age
        }

        var age = (ulong)(now - stored.Cltt);
        if (age >= stored.ValidLifetime)
        {
            return null;
        }

        if (subnet.CacheMaxAge is { } maxAge && (maxAge == 0 || age > maxAge))
        {
            return null;
        }

        // The threshold's share of the new valid lifetime; one that comes to under a second means no caching, as in Kea.
        var limit = (ulong)(renewed.ValidLifetime * subnet.CacheThreshold);
        if (limit == 0 || age > limit)
        {
            return null;
        }

        // A preferred lifetime already used up is left alone (Kea: could be a misconfiguration), unless 0 or infinite.
        if (stored.PreferredLifetime is not (0 or Lease6.InfiniteLifetime) && stored.PreferredLifetime <= age)
        {
            return null;
        }

        var reused = rental?.RentCopyOf(stored) ?? stored.Clone();
        reused.ValidLifetime = stored.ValidLifetime == Lease6.InfiniteLifetime ? Lease6.InfiniteLifetime : (uint)(stored.ValidLifetime - age);
        reused.PreferredLifetime = stored.PreferredLifetime is 0 or Lease6.InfiniteLifetime
            ? stored.PreferredLifetime
            : (uint)(stored.PreferredLifetime - age);
        return reused;
    }
}
