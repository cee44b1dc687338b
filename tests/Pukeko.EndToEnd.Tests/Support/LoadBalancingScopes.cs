using System.Text.Json.Nodes;
using Pukeko.Server.HighAvailability;

namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Checks for a load-balancing pair whose subnet has one pool per scope, guarded by the class <c>HA_server1</c> or
/// <c>HA_server2</c> that the HA filter gives each query: the pool a lease came from tells which server served it.
/// </summary>
internal static class LoadBalancingScopes
{
    public const string Pool1Prefix = "2001:db8:1::1:";
    public const string Pool2Prefix = "2001:db8:1::2:";

    /// <summary>The subnet's <c>pools</c> list: one per scope.</summary>
    public const string Pools = """
        [ { "pool": "2001:db8:1::1:0-2001:db8:1::1:ffff", "client-class": "HA_server1" },
          { "pool": "2001:db8:1::2:0-2001:db8:1::2:ffff", "client-class": "HA_server2" } ]
        """;

    /// <summary>The server Kea's load-balancing hash of the client's DUID gives the client to (1 or 2).</summary>
    public static int Owner(JsonObject lease) =>
        LoadBalancingHash.ServerIndex(Convert.FromHexString(lease["duid"]!.GetValue<string>().Replace(":", "", StringComparison.Ordinal)), 2) + 1;

    public static string PoolPrefixOf(int server) => server == 1 ? Pool1Prefix : Pool2Prefix;

    /// <summary>The server whose pool the lease's address is in (1 or 2).</summary>
    public static int ServedBy(JsonObject lease) => lease["ip-address"]!.GetValue<string>().StartsWith(Pool1Prefix, StringComparison.Ordinal) ? 1 : 2;

    /// <summary>No client holds two addresses and no address two clients, across both servers' stores.</summary>
    public static void AssertOneAddressPerClient(IEnumerable<JsonObject> leases)
    {
        var pairs = leases.Select(l => (Address: l["ip-address"]!.GetValue<string>(), Duid: l["duid"]!.GetValue<string>())).Distinct().ToList();
        Assert.Empty(pairs.GroupBy(p => p.Duid).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => p.Address))}"));
        Assert.Empty(pairs.GroupBy(p => p.Address).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => p.Duid))}"));
    }

    /// <summary>Every lease is in the pool of the scope Kea's hash gives its client to.</summary>
    public static void AssertPoolsFollowTheHash(IEnumerable<JsonObject> leases) =>
        Assert.All(leases, l => Assert.StartsWith(PoolPrefixOf(Owner(l)), l["ip-address"]!.GetValue<string>(), StringComparison.Ordinal));
}
