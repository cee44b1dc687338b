using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Pipeline;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;
using Lease6View = Pukeko.Hooks.Leases.Lease6;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>subnet6_select, lease6_select/renew/rebind/release/decline, leases6_committed (digest §8.2).</summary>
public class LeaseHookTests
{
    private static Ipv6Address Bind(PipelineHarness h)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        return AddressOf(reply!)!.Address;
    }

    private static PipelineHarness TwoSubnets() => new(configure: b => b.Subnets.Add(HookTestSupport.SecondSubnet));

    [Fact]
    public void Subnet6SelectSeesTheSelectedSubnetAndTheCollection()
    {
        using var h = TwoSubnets();
        var record = new CalloutRecord();
        SubnetView? selected = null;
        IReadOnlyList<SubnetView>? all = null;
        h.On(HookNames.Subnet6Select, record.Record(HookNames.Subnet6Select, handle =>
        {
            selected = handle.GetArgument<SubnetView>("subnet6");
            all = handle.GetArgument<IReadOnlyList<SubnetView>>("subnet6collection");
        }));
        h.Exchange(Create(MessageType.Solicit));
        Assert.Equal(1u, selected!.Id);
        Assert.Equal(h.Config.Subnets.Select(s => (s.Id, s.Prefix)), all!.Select(s => (s.Id, s.Prefix)));
        Assert.Equal(h.Config.Subnets[0].Pools.Select(p => (p.First, p.Last)), selected.Pools.Select(p => (p.First, p.Last)));
        Assert.Equal(["query6", "subnet6", "subnet6collection"], record.ArgumentNames.Single());
        Assert.All(record.CopyFlags, Assert.True);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Subnet6SelectChangeAllocatesFromTheOtherSubnet()
    {
        using var h = TwoSubnets();
        h.On(HookNames.Subnet6Select, handle =>
        {
            handle.SetArgument("subnet6", handle.GetArgument<IReadOnlyList<SubnetView>>("subnet6collection")[1]);
            return 0;
        });
        var address = AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address;
        Assert.NotNull(HookTestSupport.SecondSubnet.FindPool(address));
    }

    [Fact]
    public void Subnet6SelectSkipMeansNoSubnet()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Subnet6Select, handle => { handle.Status = NextStep.Skip; return 0; });
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(reply).Options));
    }

    [Fact]
    public void Subnet6SelectDropIsSilent()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Subnet6Select, handle => { handle.Status = NextStep.Drop; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(0, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Theory]
    [InlineData(MessageType.Solicit, true)]
    [InlineData(MessageType.Request, false)]
    public void Lease6SelectSeesTheCandidateAndFakeAllocation(MessageType type, bool fake)
    {
        using var h = new PipelineHarness();
        var record = new CalloutRecord();
        bool? seenFake = null;
        Lease6View? seenLease = null;
        h.On(HookNames.Lease6Select, record.Record(HookNames.Lease6Select, handle =>
        {
            seenFake = handle.GetArgument<bool>("fake_allocation");
            seenLease = handle.GetArgument<Lease6View>("lease6");
            Assert.Equal(1u, handle.GetArgument<SubnetView>("subnet6").Id);
        }));
        var reply = h.Exchange(Create(type, serverId: type == MessageType.Request ? PipelineHarness.ServerDuid : null)).Reply!;
        Assert.Equal(fake, seenFake);
        Assert.Equal(AddressOf(reply)!.Address, seenLease!.Address);
        Assert.Equal(["fake_allocation", "lease6", "query6", "subnet6"], record.ArgumentNames.Single());
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Lease6SelectChangesAreStoredAndSent()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Lease6Select, handle =>
        {
            var lease = handle.GetArgument<Lease6View>("lease6");
            lease.ValidLifetime = 7777;
            lease.PreferredLifetime = 5555;
            return 0;
        });
        var address = AddressOf(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!)!;
        Assert.Equal(7777u, address.ValidLifetime);
        Assert.Equal(7777u, h.Store.Get(address.Address)!.ValidLifetime);
    }

    [Fact]
    public void Lease6SelectSkipAssignsNothing()
    {
        using var h = new PipelineHarness();
        var calls = 0;
        h.On(HookNames.Lease6Select, handle => { calls++; handle.Status = NextStep.Skip; return 0; });
        var reply = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(reply).Options));
        Assert.Empty(h.Store.GetAll());
        Assert.Equal(1, calls); // no further candidate is tried in the subnet
    }

    [Theory]
    [InlineData(MessageType.Renew, HookNames.Lease6Renew)]
    [InlineData(MessageType.Rebind, HookNames.Lease6Rebind)]
    public void Lease6RenewAndRebindCanChangeTheLeaseAndTheIa(MessageType type, string hook)
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        var record = new CalloutRecord();
        h.On(hook, record.Record(hook, handle =>
        {
            var lease = handle.GetArgument<Lease6View>("lease6");
            lease.PreferredLifetime = 1003;
            lease.ValidLifetime = 1004;
            handle.GetArgument<IaNaOption>("ia_na").Iaid = 1000;
        }));
        h.Time.Advance(TimeSpan.FromSeconds(100));
        var reply = h.Exchange(Create(type, address: address, serverId: type == MessageType.Renew ? PipelineHarness.ServerDuid : null)).Reply!;
        Assert.Equal(["ia_na", "lease6", "query6"], record.ArgumentNames.Single());
        var stored = h.Store.Get(address)!;
        Assert.Equal(1004u, stored.ValidLifetime);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), stored.Cltt);
        var ia = Ia(reply, 1000);
        Assert.Equal(502u, ia.T1); // 0.5 × 1003: computed from the changed lease
        Assert.Equal(802u, ia.T2); // 0.8 × 1003
        Assert.Equal(1004u, ia.Options.Get<IaAddressOption>(OptionCode.IaAddr)!.ValidLifetime);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Theory]
    [InlineData(MessageType.Renew, HookNames.Lease6Renew)]
    [InlineData(MessageType.Rebind, HookNames.Lease6Rebind)]
    public void Lease6RenewAndRebindSkipKeepTheOldLease(MessageType type, string hook)
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        var before = h.Store.Get(address)!;
        h.On(hook, handle => { handle.Status = NextStep.Skip; return 0; });
        h.Time.Advance(TimeSpan.FromSeconds(100));
        var reply = h.Exchange(Create(type, address: address, serverId: type == MessageType.Renew ? PipelineHarness.ServerDuid : null)).Reply!;
        Assert.Equal(before.Cltt, h.Store.Get(address)!.Cltt);
        Assert.Equal(address, AddressOf(reply)!.Address);
    }

    [Fact]
    public void Lease6ReleaseSeesTheLeaseAndTheLeaseGoes()
    {
        using var h = new PipelineHarness(configure: b => b.Expiration = ExpirationConfig.Default with { FlushReclaimedTimerWaitTime = 0 });
        var address = Bind(h);
        var record = new CalloutRecord();
        Lease6View? seen = null;
        h.On(HookNames.Lease6Release, record.Record(HookNames.Lease6Release, handle => seen = handle.GetArgument<Lease6View>("lease6")));
        h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(address, seen!.Address);
        Assert.Equal(["lease6", "query6"], record.ArgumentNames.Single());
        Assert.Null(h.Store.Get(address));
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Theory]
    [InlineData(NextStep.Skip)]
    [InlineData(NextStep.Drop)]
    public void Lease6ReleaseSkipOrDropKeepsTheLeaseAndSaysUnspecFail(NextStep status)
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.On(HookNames.Lease6Release, handle => { handle.Status = status; return 0; });
        var reply = h.Exchange(Create(MessageType.Release, address: address, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
        Assert.Equal(StatusCode.UnspecFail, StatusOf(Ia(reply).Options));
        Assert.Equal(StatusCode.UnspecFail, StatusOf(reply.Options));
        Assert.Equal(1, h.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public void Lease6DeclineSeesTheLeaseAndItIsDeclined()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        var record = new CalloutRecord();
        h.On(HookNames.Lease6Decline, record.Record(HookNames.Lease6Decline, handle => Assert.Equal(address, handle.GetArgument<Lease6View>("lease6").Address)));
        h.Exchange(Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(["lease6", "query6"], record.ArgumentNames.Single());
        Assert.Equal(LeaseState.Declined, h.Store.Get(address)!.State);
    }

    [Fact]
    public void Lease6DeclineSkipRepliesSuccessButKeepsTheLease()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.On(HookNames.Lease6Decline, handle => { handle.Status = NextStep.Skip; return 0; });
        var reply = h.Exchange(Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal(StatusCode.Success, StatusOf(Ia(reply).Options));
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
    }

    [Fact]
    public void Lease6DeclineDropSendsNothingAndKeepsTheLease()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.On(HookNames.Lease6Decline, handle => { handle.Status = NextStep.Drop; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid)).Datagram);
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
        Assert.Equal(0, h.Statistics.Value("pkt6-receive-drop"));
    }

    [Theory]
    [InlineData(MessageType.Solicit)]
    [InlineData(MessageType.Confirm)]
    [InlineData(MessageType.InformationRequest)]
    public void Leases6CommittedIsNotCalledWithoutRealAllocation(MessageType type)
    {
        using var h = new PipelineHarness();
        var calls = 0;
        h.On(HookNames.Leases6Committed, _ => { calls++; return 0; });
        h.Exchange(Create(type, address: type == MessageType.Confirm ? Ipv6Address.Parse("2001:db8:1::10") : null));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Leases6CommittedOnRapidCommitSolicit()
    {
        using var h = new PipelineHarness(s => SolicitRequestTests.Clone(s, rapidCommit: true));
        var record = new CalloutRecord();
        IReadOnlyList<Lease6View>? leases = null, deleted = null;
        h.On(HookNames.Leases6Committed, record.Record(HookNames.Leases6Committed, handle =>
        {
            leases = handle.GetArgument<IReadOnlyList<Lease6View>>("leases6");
            deleted = handle.GetArgument<IReadOnlyList<Lease6View>>("deleted_leases6");
        }));
        var solicit = Create(MessageType.Solicit);
        solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        var reply = h.Exchange(solicit).Reply!;
        Assert.Equal(MessageType.Reply, reply.Type);
        Assert.Equal(["deleted_leases6", "leases6", "query6", "response6"], record.ArgumentNames.Single());
        Assert.Equal(AddressOf(reply)!.Address, Assert.Single(leases!).Address);
        Assert.Empty(deleted!);
        HookTestSupport.AssertReset(record.LastHandle);
    }

    [Fact]
    public void Leases6CommittedSeesReleasedLeasesAsDeletedAndDeclinedAsNew()
    {
        using var h = new PipelineHarness();
        var released = Bind(h);
        var seen = new List<(int New, int Deleted)>();
        h.On(HookNames.Leases6Committed, handle =>
        {
            seen.Add((handle.GetArgument<IReadOnlyList<Lease6View>>("leases6").Count, handle.GetArgument<IReadOnlyList<Lease6View>>("deleted_leases6").Count));
            return 0;
        });
        h.Exchange(Create(MessageType.Release, address: released, serverId: PipelineHarness.ServerDuid));
        var declined = Bind(h);
        h.Exchange(Create(MessageType.Decline, address: declined, serverId: PipelineHarness.ServerDuid));
        Assert.Equal([(0, 1), (1, 0), (1, 0)], seen);
    }

    [Fact]
    public void Leases6CommittedSeesAnotherClientsExpiredLeaseTakenOverAsDeleted()
    {
        using var h = new PipelineHarness(s => SolicitRequestTests.Clone(s, pool: ("2001:db8:1::10", "2001:db8:1::10")));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromDays(2)); // the only address has expired, unreclaimed
        IReadOnlyList<Lease6View>? leases = null, deleted = null;
        h.On(HookNames.Leases6Committed, handle =>
        {
            leases = handle.GetArgument<IReadOnlyList<Lease6View>>("leases6");
            deleted = handle.GetArgument<IReadOnlyList<Lease6View>>("deleted_leases6");
            return 0;
        });
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: other));

        Assert.Equal(address, AddressOf(reply!)!.Address);
        Assert.Equal(other, Assert.Single(leases!).Duid);
        Assert.Equal(ClientDuid, Assert.Single(deleted!).Duid);
    }

    [Fact]
    public void Leases6CommittedDropDiscardsTheReplyButTheLeaseIsStored()
    {
        using var h = new PipelineHarness();
        h.On(HookNames.Leases6Committed, handle => { handle.Status = NextStep.Drop; return 0; });
        Assert.Null(h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Datagram);
        Assert.Single(h.Store.GetAll());
        Assert.Equal(0, h.Hooks.ParkedCount);
    }

    [Fact]
    public void Host6IdentifierReturnsWhatTheCalloutSet()
    {
        using var h = new PipelineHarness();
        var query = h.Processor.Parse(new ReceivedDatagram
        {
            Buffer = EncodeSolicit(),
            Length = EncodeSolicit().Length,
            RemoteAddress = PipelineHarness.ClientLinkLocal,
            RemotePort = 546,
            LocalAddress = Ipv6Address.AllDhcpRelayAgentsAndServers,
            LocalPort = 547,
            InterfaceIndex = 2,
            InterfaceName = "eth0",
        })!;
        Assert.Null(h.Hooks.CallHost6Identifier(query));
        var record = new CalloutRecord();
        var status = NextStep.Continue;
        byte[] value = "foo"u8.ToArray();
        h.On(HookNames.Host6Identifier, record.Record(HookNames.Host6Identifier, handle =>
        {
            Assert.Equal(Pukeko.Hooks.Hosts.HostIdentifierType.FlexId, handle.GetArgument<Pukeko.Hooks.Hosts.HostIdentifierType>("id_type"));
            handle.SetArgument("id_value", value);
            handle.Status = status;
        }));
        var result = h.Hooks.CallHost6Identifier(query);
        Assert.Equal(Pukeko.Hooks.Hosts.HostIdentifierType.FlexId, result!.Value.Type);
        Assert.Equal("foo"u8.ToArray(), result.Value.Value);
        Assert.Equal(["id_type", "id_value", "query6"], record.ArgumentNames.Single());
        status = NextStep.Skip;
        Assert.Null(h.Hooks.CallHost6Identifier(query));
        status = NextStep.Continue;
        value = [];
        Assert.Null(h.Hooks.CallHost6Identifier(query));
    }

    private static byte[] EncodeSolicit()
    {
        var message = Create(MessageType.Solicit);
        var bytes = new byte[Dhcp6Writer.GetLength(message, [])];
        Dhcp6Writer.Write(message, [], bytes);
        return bytes;
    }
}
