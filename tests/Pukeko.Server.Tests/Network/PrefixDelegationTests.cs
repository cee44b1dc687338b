using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

public class PrefixDelegationTests
{
    /// <summary>Forge's prefix-length-hint layout: one address pool, three pd-pools delegating /88, /96, /104.</summary>
    private const string HintLayout = """
        "cache-threshold": 0,
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "subnet6": [ {
            "id": 1, "subnet": "2001:db8::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:0:0:1::/80" } ],
            "pd-pools": [
                { "prefix": "2001:db8:0:0:2::", "prefix-len": 80, "delegated-len": 88 },
                { "prefix": "2001:db8:0:0:3::", "prefix-len": 80, "delegated-len": 96, "pool-id": 3 },
                { "prefix": "2001:db8:0:0:4::", "prefix-len": 80, "delegated-len": 104 }
            ]
        } ]
        """;

    private const string SmallPool = """
        "cache-threshold": 0,
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "subnet6": [ {
            "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
            "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 62, "delegated-len": 64, "pool-id": 5 } ]
        } ]
        """;

    [Fact]
    public void SolicitAdvertisesTheFirstPrefixOfTheFirstPoolAndStoresNothing()
    {
        using var h = PipelineHarness.FromDhcp6(HintLayout);
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Solicit, withNa: true));
        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Equal("2001:db8:0:0:2::/88", PrefixText(Assert.Single(Prefixes(reply))));
        Assert.Equal(Ipv6Address.Parse("2001:db8::1:0:0:0"), AddressOf(reply)!.Address);
        Assert.Equal(0, h.Store.Count);
    }

    [Fact]
    public void RequestDelegatesAPrefixStoresATypeTwoLeaseAndCountsIt()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        var prefix = Assert.Single(Prefixes(reply!));
        Assert.Equal("2001:db8:100::/64", PrefixText(prefix));
        Assert.Equal((3000u, 4000u), (prefix.PreferredLifetime, prefix.ValidLifetime));
        var pd = Pd(reply!);
        Assert.Equal((1500u, 2400u), (pd.T1, pd.T2));

        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:100::"))!;
        Assert.Equal((LeaseType.PD, (byte)64, 7u, 5u), (lease.Type, lease.PrefixLength, lease.Iaid, lease.PoolId));
        Assert.Equal(1, h.Statistics.Value("assigned-pds"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].assigned-pds"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].pd-pool[5].assigned-pds"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].pd-pool[5].cumulative-assigned-pds"));
        Assert.Equal(4, h.Statistics.Value("subnet[1].total-pds"));
        Assert.Equal(0, h.Statistics.Value("assigned-nas"));
    }

    [Theory]
    [InlineData("2001:db8::3:0:0:0", 96, "2001:db8::3:0:0:0/96")] // exact
    [InlineData("2001:db8::2:0:0:0", 96, "2001:db8::3:0:0:0/96")] // length wins over the hinted pool
    [InlineData("2001:db8::2:0:0:0", 88, "2001:db8::2:0:0:0/88")] // lowest
    [InlineData("2001:db8::3:0:0:0", 92, "2001:db8::2:0:0:0/88")] // no /92 pool: a shorter (bigger) prefix
    [InlineData("2001:db8::3:0:0:0", 100, "2001:db8::3:0:0:0/96")] // no /100 pool: the hinted pool delegates shorter
    [InlineData("2001:db8::4:0:0:0", 104, "2001:db8::4:0:0:0/104")] // highest
    [InlineData("2001:db8::3:0:0:0", 120, "2001:db8::3:0:0:0/96")] // longer than any pool: still a lower length
    [InlineData("::", 96, "2001:db8::3:0:0:0/96")] // length only
    [InlineData("::", 84, "2001:db8::2:0:0:0/88")] // shorter than any pool: the next higher length
    [InlineData("::", 0, "2001:db8::2:0:0:0/88")] // no preference
    public void PrefixLengthHintsPreferEqualThenLowerThenHigherLengths(string hint, byte length, string expected)
    {
        using var h = PipelineHarness.FromDhcp6(HintLayout);
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Solicit, prefix: hint, length: length));
        Assert.Equal(Ipv6Prefix.Parse(expected).ToString(), PrefixText(Assert.Single(Prefixes(reply!))));
    }

    [Fact]
    public void AStubbornClientAskingForAnotherPrefixGetsTheNextOneOfTheMatchingLength()
    {
        // Forge test_prefix_length_hints_sarr_with_exact_length_but_different_prefix: the Solicit moved the allocator on.
        using var h = PipelineHarness.FromDhcp6(HintLayout);
        h.Exchange(WithPd(MessageType.Solicit, prefix: "2001:db8::2:0:0:0", length: 96));
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, prefix: "2001:db8::2:0:0:0", length: 96, serverId: PipelineHarness.ServerDuid));
        Assert.Equal("2001:db8::3:1:0:0/96", PrefixText(Assert.Single(Prefixes(reply!))));
    }

    [Fact]
    public void PdExcludeIsAddedInsideTheIaPrefixOnlyWhenRequested()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "subnet6": [ { "subnet": "2001:db8:a::/48", "interface": "eth0", "pools": [ { "pool": "2001:db8:a::1-2001:db8:a::1" } ],
                "pd-pools": [ { "prefix": "2001:db8:1::", "prefix-len": 90, "delegated-len": 90,
                                "excluded-prefix": "2001:db8:1::20:0:0", "excluded-prefix-len": 91 } ] } ]
            """);
        var (asked, _, _) = h.Exchange(WithPd(MessageType.Solicit, oro: OptionCode.PdExclude));
        var exclude = Assert.Single(Prefixes(asked!)).Options.Get<RawOption>(OptionCode.PdExclude);
        Assert.NotNull(exclude);
        Assert.Equal(new byte[] { 91, 0x80 }, exclude.Data); // RFC 6603 §4.2: length, then the subnet-id bit(s)

        var (silent, _, _) = h.Exchange(WithPd(MessageType.Solicit));
        Assert.Null(Assert.Single(Prefixes(silent!)).Options.Get(OptionCode.PdExclude));
    }

    [Fact]
    public void SeveralIasOfBothKindsAreEachAnsweredInOrder()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        var request = WithPd(MessageType.Request, iaid: 1, withNa: true, serverId: PipelineHarness.ServerDuid);
        request.Options.Add(new IaPdOption(2, 0, 0));
        request.Options.Add(new IaNaOption(3, 0, 0));
        var (reply, _, _) = h.Exchange(request);

        var order = reply!.Options.Where(o => o is IaNaOption or IaPdOption).Select(o => (o.Code, o is IaNaOption na ? na.Iaid : ((IaPdOption)o).Iaid)).ToList();
        Assert.Equal([(OptionCode.IaNa, 1u), (OptionCode.IaPd, 1u), (OptionCode.IaPd, 2u), (OptionCode.IaNa, 3u)], order);
        Assert.NotEqual(PrefixText(Assert.Single(Prefixes(reply, 1))), PrefixText(Assert.Single(Prefixes(reply, 2))));
        Assert.NotEqual(AddressOf(reply, 1)!.Address, AddressOf(reply, 3)!.Address);
        Assert.Equal(2, h.Statistics.Value("assigned-pds"));
        Assert.Equal(2, h.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public void ExhaustedPdPoolsAnswerNoPrefixAvail()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        for (uint i = 0; i < 4; i++)
        {
            h.Exchange(WithPd(MessageType.Request, iaid: i, serverId: PipelineHarness.ServerDuid));
        }

        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, iaid: 99, serverId: PipelineHarness.ServerDuid));
        var pd = Pd(reply!, 99);
        Assert.Empty(pd.Options.OfType<IaPrefixOption>());
        Assert.Equal(StatusCode.NoPrefixAvail, StatusOf(pd.Options));
        Assert.Equal(1, h.Statistics.Value("v6-allocation-fail"));
    }

    [Fact]
    public void NoSubnetMeansNoPrefixAvailInSolicitAndADroppedRebind()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        h.InterfaceName = "eth9";
        var (advertise, _, _) = h.Exchange(WithPd(MessageType.Solicit));
        Assert.Equal(StatusCode.NoPrefixAvail, StatusOf(Pd(advertise!).Options));
        var (rebind, _, _) = h.Exchange(WithPd(MessageType.Rebind, prefix: "2001:db8:100::", length: 64));
        Assert.Null(rebind);
    }

    [Theory]
    [InlineData(MessageType.Renew)]
    [InlineData(MessageType.Rebind)]
    public void RenewAndRebindExtendThePrefixAndZeroForeignOnes(MessageType type)
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        h.Time.Advance(TimeSpan.FromSeconds(100));
        var query = WithPd(type, prefix: "2001:db8:100::", length: 64, serverId: type == MessageType.Renew ? PipelineHarness.ServerDuid : null);
        Pd(query).Options.Add(new IaPrefixOption(0, 0, 48, Ipv6Address.Parse("3001::")));
        var (reply, _, _) = h.Exchange(query);

        var prefixes = Prefixes(reply!);
        Assert.Contains(prefixes, p => PrefixText(p) == "2001:db8:100::/64" && p.ValidLifetime == 4000);
        Assert.Contains(prefixes, p => PrefixText(p) == "3001::/48" && p.ValidLifetime == 0 && p.PreferredLifetime == 0);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), h.Store.Get(Ipv6Address.Parse("2001:db8:100::"))!.Cltt);
    }

    [Fact]
    public void RenewWithoutABindingDelegatesANewPrefix()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Renew, serverId: PipelineHarness.ServerDuid));
        Assert.Equal("2001:db8:100::/64", PrefixText(Assert.Single(Prefixes(reply!))));
        Assert.Equal(1, h.Statistics.Value("assigned-pds"));
    }

    [Fact]
    public void ReleaseKeepsThePrefixAsReleasedAndTheClientGetsItBack()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        var (release, _, _) = h.Exchange(WithPd(MessageType.Release, prefix: "2001:db8:100::", length: 64, serverId: PipelineHarness.ServerDuid));

        Assert.Equal(StatusCode.Success, StatusOf(Pd(release!).Options));
        Assert.Equal(StatusCode.Success, StatusOf(release!.Options));
        var kept = h.Store.Get(Ipv6Address.Parse("2001:db8:100::"))!;
        Assert.Equal((LeaseState.Released, 0u), (kept.State, kept.ValidLifetime));
        Assert.Equal(0, h.Statistics.Value("assigned-pds"));

        var (again, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        Assert.Equal("2001:db8:100::/64", PrefixText(Assert.Single(Prefixes(again!))));
        Assert.Equal(1, h.Statistics.Value("assigned-pds"));
    }

    [Fact]
    public void ReleaseOfAnUnknownPrefixIsNoBinding()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        var (release, _, _) = h.Exchange(WithPd(MessageType.Release, prefix: "2001:db8:100::", length: 64, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.NoBinding, StatusOf(Pd(release!).Options));
        Assert.Equal(StatusCode.NoBinding, StatusOf(release!.Options));
    }

    [Fact]
    public void DeclineAndConfirmIgnoreIaPd()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        h.Exchange(WithPd(MessageType.Request, withNa: true, serverId: PipelineHarness.ServerDuid));
        var address = h.Store.GetAll().Single(l => l.Type == LeaseType.NA).Address;

        var decline = Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid);
        decline.Options.Add(new IaPdOption(7, 0, 0) { Options = { new IaPrefixOption(0, 0, 64, Ipv6Address.Parse("2001:db8:100::")) } });
        var (reply, _, _) = h.Exchange(decline);
        Assert.DoesNotContain(reply!.Options, o => o is IaPdOption);
        Assert.Equal(LeaseState.Default, h.Store.Get(Ipv6Address.Parse("2001:db8:100::"))!.State);

        var confirm = Create(MessageType.Confirm, address: Ipv6Address.Parse("2001:db8:1::10"));
        confirm.Options.Add(new IaPdOption(7, 0, 0) { Options = { new IaPrefixOption(0, 0, 64, Ipv6Address.Parse("3001::")) } });
        var (confirmed, _, _) = h.Exchange(confirm);
        Assert.Equal(StatusCode.Success, StatusOf(confirmed!.Options));
    }

    [Fact]
    public void ExpiredPrefixesAreReclaimedAndUncounted()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        h.Time.Advance(TimeSpan.FromSeconds(5000));
        var reclaimer = new LeaseReclaimer(h.Processor.Allocation.Writer, h.Processor.Allocation.Claims, h.Leases, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(1, reclaimer.Reclaim(h.Config.ExpiredLeasesProcessing, h.Config.FindSubnet, h.Time.GetUtcNow().ToUnixTimeSeconds()));

        Assert.Equal(LeaseState.ExpiredReclaimed, h.Store.Get(Ipv6Address.Parse("2001:db8:100::"))!.State);
        Assert.Equal(0, h.Statistics.Value("assigned-pds"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].pd-pool[5].reclaimed-leases"));
    }

    [Fact]
    public void IterativePdAllocationStepsByTheDelegatedLength()
    {
        using var h = PipelineHarness.FromDhcp6(SmallPool);
        var got = new List<string>();
        for (uint i = 0; i < 4; i++)
        {
            var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, iaid: i, serverId: PipelineHarness.ServerDuid));
            got.Add(PrefixText(Assert.Single(Prefixes(reply!, i))));
        }

        Assert.Equal(["2001:db8:100::/64", "2001:db8:100:1::/64", "2001:db8:100:2::/64", "2001:db8:100:3::/64"], got);
    }
}
