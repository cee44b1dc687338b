using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

public class RenewReleaseDeclineTests
{
    private static Ipv6Address Bind(PipelineHarness h)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        return AddressOf(reply!)!.Address;
    }

    [Theory]
    [InlineData(MessageType.Renew)]
    [InlineData(MessageType.Rebind)]
    public void RenewAndRebindExtendTheLease(MessageType type)
    {
        using var h = new PipelineHarness();
        var address = Bind(h);

        // Past cache-threshold (0.25 × 4000 s), so the lease is really extended, not reused from the cache.
        h.Time.Advance(TimeSpan.FromSeconds(1500));
        var query = Create(type, address: address, serverId: type == MessageType.Renew ? PipelineHarness.ServerDuid : null);
        var (reply, _, _) = h.Exchange(query);
        Assert.Equal(MessageType.Reply, reply!.Type);
        Assert.Equal(address, AddressOf(reply)!.Address);
        Assert.Equal(4000u, AddressOf(reply)!.ValidLifetime);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), h.Store.Get(address)!.Cltt);
    }

    [Fact]
    public void RenewOfUnknownBindingAllocatesAndReturnsForeignAddressWithZeroLifetimes()
    {
        using var h = new PipelineHarness();
        var foreign = Ipv6Address.Parse("2001:db8:1::1e");
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: foreign, serverId: PipelineHarness.ServerDuid));
        var ia = Ia(reply!);
        var addresses = ia.Options.OfType<IaAddressOption>().ToList();
        // Kea allocates for an unknown binding; the hint is free, so the client gets it.
        Assert.Contains(addresses, a => a.Address == foreign && a.ValidLifetime == 4000);
    }

    [Fact]
    public void RenewOfAddressOwnedByAnotherClientGetsZeroLifetimeForIt()
    {
        using var h = new PipelineHarness();
        var taken = Bind(h);
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: taken, serverId: PipelineHarness.ServerDuid, clientId: other));
        var addresses = Ia(reply!).Options.OfType<IaAddressOption>().ToList();
        Assert.Contains(addresses, a => a.Address == taken && a.ValidLifetime == 0 && a.PreferredLifetime == 0);
        Assert.Contains(addresses, a => a.Address != taken && a.ValidLifetime == 4000);
    }

    /// <summary>A store without the released state, as Kea 2.2's SQL schema.</summary>
    private sealed class NoReleasedStateStore(ILeaseStore inner) : DelegatingLeaseStore(inner)
    {
        public override bool KeepsReleasedLeases => false;
    }

    [Fact]
    public void ReleaseDeletesTheLeaseWhenTheStoreHasNoReleasedStateAsKea22Does()
    {
        using var h = new PipelineHarness(wrapStore: store => new NoReleasedStateStore(store));
        var address = Bind(h);
        var (reply, _, _) = h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.Success, StatusOf(Ia(reply!).Options));
        Assert.Null(h.Store.Get(address));
    }

    [Fact]
    public void ReleaseWithAffinityKeepsLeaseAsReleased()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        var (reply, _, _) = h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.Success, StatusOf(reply!.Options));
        Assert.Equal(StatusCode.Success, StatusOf(Ia(reply).Options));
        var lease = h.Store.Get(address);
        Assert.NotNull(lease);
        Assert.Equal(LeaseState.Released, lease.State);
        Assert.Equal(0u, lease.ValidLifetime);
        Assert.Equal(0, h.Statistics.Value("assigned-nas"));
        Assert.False(reply.Options.Contains(OptionCode.DnsServers));
    }

    [Fact]
    public void ReleaseWithoutAffinityDeletesLease()
    {
        using var h = new PipelineHarness(configure: b => b.Expiration = ExpirationConfig.Default with { FlushReclaimedTimerWaitTime = 0 });
        var address = Bind(h);
        h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Null(h.Store.Get(address));
    }

    [Fact]
    public void ReleasedClientGetsSameAddressBack()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(address, Bind(h));
        Assert.Equal(1, h.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public void ReleaseOfForeignLeaseIsNoBinding()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid, clientId: other));
        Assert.Equal(StatusCode.NoBinding, StatusOf(Ia(reply!).Options));
        Assert.Equal(StatusCode.NoBinding, StatusOf(reply!.Options));
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
    }

    [Fact]
    public void ReleaseWithoutAddressIsNoBinding()
    {
        using var h = new PipelineHarness();
        Bind(h);
        var (reply, _, _) = h.Exchange(Create(MessageType.Release, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.NoBinding, StatusOf(Ia(reply!).Options));
    }

    [Fact]
    public void DeclineMarksLeaseDeclinedForProbation()
    {
        using var h = new PipelineHarness(configure: b => b.DeclineProbationPeriod = 600);
        var address = Bind(h);
        var (reply, _, _) = h.Exchange(Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.Success, StatusOf(Ia(reply!).Options));
        var lease = h.Store.Get(address)!;
        Assert.Equal(LeaseState.Declined, lease.State);
        Assert.Equal(600u, lease.ValidLifetime);
        Assert.Equal(new byte[] { 0, 0, 0 }, lease.Duid);
        Assert.Equal(1, h.Statistics.Value("declined-addresses"));
        Assert.Equal(1, h.Statistics.Value("assigned-nas"));

        // While on probation the address is not handed out again.
        var (next, _, _) = h.Exchange(Create(MessageType.Solicit, address: address));
        Assert.NotEqual(address, AddressOf(next!)!.Address);
    }

    [Fact]
    public void DeclineOfUnknownAddressIsNoBinding()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Decline, address: Ipv6Address.Parse("2001:db8:1::15"), serverId: PipelineHarness.ServerDuid));
        Assert.Equal(StatusCode.NoBinding, StatusOf(Ia(reply!).Options));
    }

    [Fact]
    public void ConfirmOnLinkAddressIsSuccess()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Confirm, address: Ipv6Address.Parse("2001:db8:1::99")));
        Assert.Equal(StatusCode.Success, StatusOf(reply!.Options));
    }

    [Fact]
    public void ConfirmOffLinkAddressIsNotOnLink()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Confirm, address: Ipv6Address.Parse("2001:db8:2::99")));
        Assert.Equal(StatusCode.NotOnLink, StatusOf(reply!.Options));
    }

    [Fact]
    public void ConfirmWithoutAddressesIsDiscarded()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Confirm));
        Assert.Null(reply);
    }
}
