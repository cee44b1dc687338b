using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

public class SolicitRequestTests
{
    [Fact]
    public void SolicitGetsAdvertiseWithFirstPoolAddressAndStoresNothing()
    {
        using var h = new PipelineHarness();
        var (reply, _, datagram) = h.Exchange(Create(MessageType.Solicit));

        Assert.NotNull(reply);
        Assert.Equal(MessageType.Advertise, reply.Type);
        Assert.Equal(0x123456u, reply.TransactionId);
        Assert.Equal(ClientDuid, reply.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
        Assert.Equal(PipelineHarness.ServerDuid, reply.Options.Get<DuidOption>(OptionCode.ServerId)!.Duid);
        var address = AddressOf(reply);
        Assert.NotNull(address);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), address.Address);
        Assert.Equal(3000u, address.PreferredLifetime);
        Assert.Equal(4000u, address.ValidLifetime);
        Assert.Equal(0, h.Store.Count);
        Assert.Equal(PipelineHarness.ClientLinkLocal, datagram!.Value.Destination);
        Assert.Equal(546, datagram.Value.Port);
        Assert.Equal(1, h.Statistics.Value("pkt6-solicit-received"));
        Assert.Equal(1, h.Statistics.Value("pkt6-advertise-sent"));
    }

    [Fact]
    public void TeeTimesAreHalfAndEightyPercentOfPreferredWhenNotConfigured()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit));
        var ia = Ia(reply!);
        Assert.Equal(1500u, ia.T1);
        Assert.Equal(2400u, ia.T2);
    }

    [Fact]
    public void ConfiguredTimersWinAndT1NotBelowT2IsZeroed()
    {
        using var h = new PipelineHarness(s => Clone(s, renew: 3000, rebind: 2000));
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit));
        var ia = Ia(reply!);
        Assert.Equal(0u, ia.T1);
        Assert.Equal(2000u, ia.T2);
    }

    [Fact]
    public void RequestCommitsLeaseAndCountsIt()
    {
        using var h = new PipelineHarness();
        var (advertise, _, _) = h.Exchange(Create(MessageType.Solicit));
        var offered = AddressOf(advertise!)!.Address;

        var (reply, _, _) = h.Exchange(Create(MessageType.Request, address: offered, serverId: PipelineHarness.ServerDuid));

        Assert.Equal(MessageType.Reply, reply!.Type);
        Assert.Equal(offered, AddressOf(reply)!.Address);
        var lease = h.Store.Get(offered);
        Assert.NotNull(lease);
        Assert.Equal(ClientDuid.ToArray(), lease.Duid);
        Assert.Equal(1u, lease.Iaid);
        Assert.Equal(LeaseState.Default, lease.State);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), lease.Cltt);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, lease.HardwareAddress);
        Assert.Equal(1, h.Statistics.Value("assigned-nas"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].assigned-nas"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].pool[0].assigned-nas"));
        Assert.Equal(16, h.Statistics.Value("subnet[1].total-nas"));
    }

    [Fact]
    public void SecondClientGetsNextAddress()
    {
        using var h = new PipelineHarness();
        h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: other));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::11"), AddressOf(reply!)!.Address);
    }

    [Fact]
    public void RepeatedRequestReturnsTheSameLease()
    {
        using var h = new PipelineHarness();
        var (first, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        var (second, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(AddressOf(first!)!.Address, AddressOf(second!)!.Address);
        Assert.Equal(1, h.Store.Count);
    }

    [Fact]
    public void HintInsidePoolIsHonoured()
    {
        using var h = new PipelineHarness();
        var wanted = Ipv6Address.Parse("2001:db8:1::1a");
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit, address: wanted));
        Assert.Equal(wanted, AddressOf(reply!)!.Address);
    }

    [Fact]
    public void HintOutsidePoolIsIgnored()
    {
        using var h = new PipelineHarness();
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit, address: Ipv6Address.Parse("2001:db8:1::ffff")));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(reply!)!.Address);
    }

    [Fact]
    public void ExhaustedPoolAnswersNoAddrsAvail()
    {
        using var h = new PipelineHarness(s => Clone(s, pool: ("2001:db8:1::10", "2001:db8:1::10")));
        h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: other));
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(reply!).Options));
        Assert.Equal(1, h.Statistics.Value("v6-allocation-fail"));
    }

    [Fact]
    public void NoSubnetForInterfaceAnswersNoAddrsAvail()
    {
        using var h = new PipelineHarness { InterfaceName = "eth9" };
        var (reply, _, _) = h.Exchange(Create(MessageType.Solicit));
        var ia = Ia(reply!);
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(ia.Options));
        Assert.Equal("Server could not select subnet for this client", ia.Options.Get<StatusCodeOption>(OptionCode.StatusCode)!.Message);
    }

    [Fact]
    public void RapidCommitSolicitGetsReplyAndLeaseWhenSubnetAllowsIt()
    {
        using var h = new PipelineHarness(s => Clone(s, rapidCommit: true));
        var solicit = Create(MessageType.Solicit);
        solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        var (reply, _, _) = h.Exchange(solicit);
        Assert.Equal(MessageType.Reply, reply!.Type);
        Assert.True(reply.Options.Contains(OptionCode.RapidCommit));
        Assert.Equal(1, h.Store.Count);
    }

    [Fact]
    public void RapidCommitIsIgnoredWhenSubnetDoesNotAllowIt()
    {
        using var h = new PipelineHarness();
        var solicit = Create(MessageType.Solicit);
        solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        var (reply, _, _) = h.Exchange(solicit);
        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.False(reply.Options.Contains(OptionCode.RapidCommit));
        Assert.Equal(0, h.Store.Count);
    }

    [Fact]
    public void IaPdIsAnsweredWithNoPrefixAvail()
    {
        using var h = new PipelineHarness();
        var solicit = Create(MessageType.Solicit);
        solicit.Options.Add(new IaPdOption(7, 0, 0));
        var (reply, _, _) = h.Exchange(solicit);
        var pd = reply!.Options.Get<IaPdOption>(OptionCode.IaPd);
        Assert.NotNull(pd);
        Assert.Equal(7u, pd.Iaid);
        Assert.Equal(StatusCode.NoPrefixAvail, StatusOf(pd.Options));
    }

    [Fact]
    public void TwoIaNaGetTwoAddresses()
    {
        using var h = new PipelineHarness();
        var request = Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);
        request.Options.Add(new IaNaOption(2, 0, 0));
        var (reply, _, _) = h.Exchange(request);
        Assert.NotEqual(AddressOf(reply!, 1)!.Address, AddressOf(reply!, 2)!.Address);
        Assert.Equal(2, h.Store.Count);
    }

    internal static Subnet6 Clone(Subnet6 s, uint? renew = null, uint? rebind = null, bool rapidCommit = false, (string, string)? pool = null, IReadOnlyList<OptionDescriptor>? options = null) => new()
    {
        Id = s.Id,
        Prefix = s.Prefix,
        Pools = pool is { } p ? [new AddressPool { First = Ipv6Address.Parse(p.Item1), Last = Ipv6Address.Parse(p.Item2) }] : s.Pools,
        Interface = s.Interface,
        Options = options ?? s.Options,
        ValidLifetime = s.ValidLifetime,
        PreferredLifetime = s.PreferredLifetime,
        RenewTimer = renew ?? s.RenewTimer,
        RebindTimer = rebind ?? s.RebindTimer,
        RapidCommit = rapidCommit || s.RapidCommit,
    };
}
