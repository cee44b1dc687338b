using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

public class LeaseCachingTests
{
    private static string Config(string caching) => $$"""
        {{caching}}
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
            "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 62, "delegated-len": 64 } ] } ]
        """;

    private static Ipv6Address Bind(PipelineHarness h)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        return AddressOf(reply!)!.Address;
    }

    [Fact]
    public void AnEarlyRenewReusesTheLeaseWithItsRemainingLifetimesAndWritesNothing()
    {
        using var h = PipelineHarness.FromDhcp6(Config("\"cache-threshold\": 0.25,"));
        var address = Bind(h);
        var written = h.Store.Get(address)!.Cltt;
        h.Time.Advance(TimeSpan.FromSeconds(600));

        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        var granted = AddressOf(reply!)!;
        Assert.Equal((address, 2400u, 3400u), (granted.Address, granted.PreferredLifetime, granted.ValidLifetime));
        Assert.Equal(written, h.Store.Get(address)!.Cltt);
        Assert.Equal(1, h.Statistics.Value("v6-ia-na-lease-reuses"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].v6-ia-na-lease-reuses"));
    }

    [Fact]
    public void PastTheThresholdTheLeaseIsExtended()
    {
        using var h = PipelineHarness.FromDhcp6(Config("\"cache-threshold\": 0.25,"));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(1001));
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(4000u, AddressOf(reply!)!.ValidLifetime);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), h.Store.Get(address)!.Cltt);
        Assert.Equal(0, h.Statistics.Value("v6-ia-na-lease-reuses"));
    }

    [Theory]
    [InlineData("\"cache-threshold\": 0,")]
    [InlineData("\"cache-threshold\": 0.5, \"cache-max-age\": 100,")]
    [InlineData("\"cache-max-age\": 0,")]
    public void CachingOffOrTooOldExtendsTheLease(string caching)
    {
        using var h = PipelineHarness.FromDhcp6(Config(caching));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(600));
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(4000u, AddressOf(reply!)!.ValidLifetime);
        Assert.Equal(0, h.Statistics.Value("v6-ia-na-lease-reuses"));
    }

    [Fact]
    public void AThresholdThatComesToUnderASecondCachesNothing()
    {
        // 0.0001 × 4000 s = 0.4 s: Kea's limit is then 0 and it never reuses, not even a renewal in the same second.
        using var h = PipelineHarness.FromDhcp6(Config("\"cache-threshold\": 0.0001,"));
        var address = Bind(h);
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(4000u, AddressOf(reply!)!.ValidLifetime);
        Assert.Equal(0, h.Statistics.Value("v6-ia-na-lease-reuses"));
    }

    [Fact]
    public void ALeaseWhosePreferredLifetimeIsUsedUpIsExtendedNotReused()
    {
        // age 600 s is within the threshold (1000 s) but past the 300-s preferred lifetime: Kea extends the lease.
        using var h = PipelineHarness.FromDhcp6(Config("\"cache-threshold\": 0.25,").Replace("\"preferred-lifetime\": 3000", "\"preferred-lifetime\": 300"));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(600));
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal((300u, 4000u), (AddressOf(reply!)!.PreferredLifetime, AddressOf(reply!)!.ValidLifetime));
        Assert.Equal(0, h.Statistics.Value("v6-ia-na-lease-reuses"));
    }

    [Fact]
    public void CacheMaxAgeWithinBothLimitsReuses()
    {
        using var h = PipelineHarness.FromDhcp6(Config("\"cache-max-age\": 900,"));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(600));
        var (reply, _, _) = h.Exchange(Create(MessageType.Rebind, address: address));
        Assert.Equal(3400u, AddressOf(reply!)!.ValidLifetime);
    }

    [Fact]
    public void PrefixesAreCachedToo()
    {
        using var h = PipelineHarness.FromDhcp6(Config(""));
        h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Renew, prefix: "2001:db8:100::", length: 64, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(3990u, Assert.Single(Prefixes(reply!)).ValidLifetime);
        Assert.Equal(1, h.Statistics.Value("v6-ia-pd-lease-reuses"));
    }
}
