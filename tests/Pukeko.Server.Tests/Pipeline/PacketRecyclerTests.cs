using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// Packets are reused only when nothing outside the pipeline was given them; when they are, every reply is still
/// the reply to its own query.
/// </summary>
public sealed class PacketRecyclerTests
{
    private static readonly Duid ClientA = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x0a]);
    private static readonly Duid ClientB = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x0b]);
    private static readonly Duid ClientC = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x0c]);

    [Fact]
    public void Packets_a_callout_was_given_are_never_reused()
    {
        using var h = new PipelineHarness();
        var kept = new List<(Dhcp6Packet Query, Dhcp6Packet Reply)>();
        h.On(HookNames.Pkt6Send, handle =>
        {
            kept.Add((handle.GetArgument<Dhcp6Packet>("query6"), handle.GetArgument<Dhcp6Packet>("response6")));
            return 0;
        });

        h.Exchange(Create(MessageType.Solicit, clientId: ClientA));
        h.Exchange(Create(MessageType.Solicit, clientId: ClientB));

        Assert.Equal(2, kept.Count);
        Assert.NotSame(kept[0].Query, kept[1].Query);
        Assert.NotSame(kept[0].Reply, kept[1].Reply);

        // What the callout kept of the first exchange is still the first exchange.
        Assert.Equal(ClientA.Bytes, ClientId(kept[0].Query.Message));
        Assert.Equal(ClientA.Bytes, ClientId(kept[0].Reply.Message));
        Assert.Equal(MessageType.Advertise, kept[0].Reply.Type);
        Assert.Equal(PipelineHarness.ClientLinkLocal, kept[0].Reply.RemoteAddress);
        Assert.Contains("ALL", kept[0].Query.Classes);

        // Nor are the reply's options: the first Advertise still offers its own address.
        var first = Assert.IsType<IaNaOption>(Assert.Single(kept[0].Reply.Message.Options.GetAll(OptionCode.IaNa)));
        var second = Assert.IsType<IaNaOption>(Assert.Single(kept[1].Reply.Message.Options.GetAll(OptionCode.IaNa)));
        Assert.NotSame(first, second);
        var offered = Assert.IsType<IaAddressOption>(Assert.Single(first.Options));
        Assert.NotEqual(offered.Address, Assert.IsType<IaAddressOption>(Assert.Single(second.Options)).Address);
    }

    [Fact]
    public void Without_callouts_the_packets_are_reused_and_each_reply_answers_its_own_query()
    {
        using var h = new PipelineHarness();
        var link = h.Config.Subnets[0].Prefix.Address;
        var relay = new RelayLayer(MessageType.RelayForward, 0, link, Ipv6Address.Parse("fe80::99"));

        var relayedA = h.Exchange(Create(MessageType.Solicit, clientId: ClientA), [relay], Ipv6Address.Parse("2001:db8:ffff::1"));
        Assert.Equal((true, true), PacketRecycler.Spares);
        var directB = h.Exchange(Create(MessageType.Solicit, clientId: ClientB));
        var relayedC = h.Exchange(Create(MessageType.Solicit, clientId: ClientC), [relay], Ipv6Address.Parse("2001:db8:ffff::1"));

        Assert.Equal(ClientA.Bytes, ClientId(relayedA.Reply!));
        Assert.Equal(ClientB.Bytes, ClientId(directB.Reply!));
        Assert.Equal(ClientC.Bytes, ClientId(relayedC.Reply!));

        // The relay layers of a relayed query do not stay with the packet for the next, direct one.
        var layer = Assert.Single(relayedA.Relays);
        Assert.Equal(MessageType.RelayReply, layer.Type);
        Assert.Equal(Ipv6Address.Parse("fe80::99"), layer.PeerAddress);
        Assert.Empty(directB.Relays);
        Assert.Equal(PipelineHarness.ClientLinkLocal, directB.Datagram!.Value.Destination);
        Assert.Single(relayedC.Relays);

        // Each reply has its own options only: one IA_NA, one Client-ID, one Server-ID.
        foreach (var reply in new[] { relayedA.Reply!, directB.Reply!, relayedC.Reply! })
        {
            Assert.Single(reply.Options.GetAll(OptionCode.ClientId));
            Assert.Single(reply.Options.GetAll(OptionCode.ServerId));
            Assert.Single(reply.Options.GetAll(OptionCode.IaNa));
        }
    }

    [Fact]
    public void Packets_an_HA_filter_saw_are_not_reused()
    {
        using var h = new PipelineHarness();
        h.Processor.QueryFilter = new AcceptAll();
        TakeSpares();

        Assert.NotNull(h.Exchange(Create(MessageType.Solicit, clientId: ClientA)).Reply);

        Assert.Equal((false, false), PacketRecycler.Spares);
    }

    private static byte[] ClientId(Dhcp6Message message) => message.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid.Bytes.ToArray();

    /// <summary>Empties this thread's spares, which earlier tests on the thread may have left.</summary>
    private static void TakeSpares()
    {
        PacketRecycler.RentQuery(new Dhcp6Message(MessageType.Solicit, 0), out _);
        PacketRecycler.RentReply(MessageType.Advertise, 0);
    }

    private sealed class AcceptAll : IQueryFilter
    {
        public bool Accept(Dhcp6Packet query) => true;
    }
}
