using Pukeko.Server.Configuration;

namespace Pukeko.Server.Statistics;

/// <summary>
/// The per-subnet counters Kea creates at zero when a configuration is applied, besides the address counters
/// <see cref="LeaseStatistics"/> recounts: allocation failures and lease reuses (digest §7).
/// </summary>
internal static class SubnetStatistics
{
    public static readonly string[] PerSubnet =
    [
        "v6-allocation-fail", "v6-allocation-fail-shared-network", "v6-allocation-fail-subnet",
        "v6-allocation-fail-no-pools", "v6-allocation-fail-classes", "v6-ia-na-lease-reuses", "v6-ia-pd-lease-reuses",
    ];

    /// <summary>Creates the missing per-subnet counters at zero; existing values are kept.</summary>
    public static void Initialize(StatisticsRegistry registry, IReadOnlyList<Subnet6> subnets)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(subnets);
        foreach (var subnet in subnets)
        {
            foreach (var name in PerSubnet)
            {
                registry.Get(StatisticsRegistry.SubnetName(subnet.Id, name));
            }
        }
    }
}
