using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary><c>sanity-checks.lease-checks</c> applied while the lease file loads.</summary>
public sealed class LeaseSanityCheckTests : IDisposable
{
    private readonly LeaseTestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly Subnet6[] Subnets =
    [
        new() { Id = 1, Prefix = Ipv6Prefix.Parse("2001:db8:1::/64"), ValidLifetime = new Lifetime(4000, 4000, 4000), PreferredLifetime = new Lifetime(3000, 3000, 3000) },
        new() { Id = 2, Prefix = Ipv6Prefix.Parse("2001:db8:2::/64"), ValidLifetime = new Lifetime(4000, 4000, 4000), PreferredLifetime = new Lifetime(3000, 3000, 3000) },
    ];

    private static string Row(string address, uint subnetId, int type = 0, int prefixLength = 128) =>
        $"{address},00:01:02:03,3600,1700003600,{subnetId},1800,{type},1,{prefixLength},0,0,h,,0,,0,0,0";

    /// <summary>Writes the rows, opens a store with the mode, and returns address → subnet-id of what was loaded.</summary>
    private (Dictionary<string, uint> Loaded, LeaseListLogger Log) Load(LeaseSanityMode mode)
    {
        _dir.Write("", LeaseSamples.Header,
            Row("2001:db8:1::10", 1),          // right
            Row("2001:db8:2::10", 1),          // belongs to subnet 2
            Row("2001:db8:9::10", 1),          // in no subnet
            Row("2001:db8:9::", 7, type: 2, prefixLength: 64)); // prefix lease: never checked
        var log = new LeaseListLogger();
        using var store = new MemfileLeaseStore(new MemfileOptions(_dir.LeaseFile, LfcIntervalSeconds: 0), log, TimeProvider.System)
        {
            LoadChecks = new LeaseSanityChecker(mode, Subnets, log),
        };
        store.Open();
        var loaded = new Dictionary<string, uint>();
        foreach (var address in (string[])["2001:db8:1::10", "2001:db8:2::10", "2001:db8:9::10", "2001:db8:9::"])
        {
            if (store.Get(Ipv6Address.Parse(address)) is { } lease)
            {
                loaded[address] = lease.SubnetId;
            }
        }

        return (loaded, log);
    }

    [Fact]
    public void NoneKeepsEverythingSilently()
    {
        var (loaded, log) = Load(LeaseSanityMode.None);
        Assert.Equal(new Dictionary<string, uint> { ["2001:db8:1::10"] = 1, ["2001:db8:2::10"] = 1, ["2001:db8:9::10"] = 1, ["2001:db8:9::"] = 7 }, loaded);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("subnet-id checks", StringComparison.Ordinal));
    }

    [Fact]
    public void WarnKeepsEverythingAndWarnsPerBadLease()
    {
        var (loaded, log) = Load(LeaseSanityMode.Warn);
        Assert.Equal(4, loaded.Count);
        Assert.Equal(1u, loaded["2001:db8:2::10"]);
        var warnings = log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("subnet-id checks", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Message.Contains("should have subnet-id 2", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Message.Contains("did not belong to a configured subnet", StringComparison.Ordinal));
    }

    [Fact]
    public void FixMovesTheLeaseToItsSubnetAndKeepsOrphans()
    {
        var (loaded, _) = Load(LeaseSanityMode.Fix);
        Assert.Equal(new Dictionary<string, uint> { ["2001:db8:1::10"] = 1, ["2001:db8:2::10"] = 2, ["2001:db8:9::10"] = 1, ["2001:db8:9::"] = 7 }, loaded);
    }

    [Fact]
    public void FixDelMovesTheLeaseAndDropsOrphans()
    {
        var (loaded, _) = Load(LeaseSanityMode.FixDelete);
        Assert.Equal(new Dictionary<string, uint> { ["2001:db8:1::10"] = 1, ["2001:db8:2::10"] = 2, ["2001:db8:9::"] = 7 }, loaded);
    }

    [Fact]
    public void DelDropsEveryMismatchedLease()
    {
        var (loaded, _) = Load(LeaseSanityMode.Delete);
        Assert.Equal(new Dictionary<string, uint> { ["2001:db8:1::10"] = 1, ["2001:db8:9::"] = 7 }, loaded);
    }
}
