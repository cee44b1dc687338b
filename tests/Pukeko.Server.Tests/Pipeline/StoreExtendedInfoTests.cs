using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Allocation;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// <c>store-extended-info</c>: a lease given to a relayed client keeps the relays in its user context as Kea (2.4 and
/// later) writes them, <c>ISC.relay-info</c>, so Kea's lease file, lease commands and lease query read the same text.
/// </summary>
public sealed class StoreExtendedInfoTests
{
    private static readonly Ipv6Address RelaySource = Ipv6Address.Parse("2001:db8:9::1");

    // interface-id "port1234", remote-id (enterprise 9, abcd) and relay-id (a DUID-LL), packed in option code order.
    private const string RelayOptionsHex = "00120008706F727431323334" + "0025000600000009ABCD" + "0035000A000300010A0B0C0D0E0F";

    private const string StoredContext =
        "{ \"ISC\": { \"relay-info\": [ { \"hop\": 0, \"link\": \"2001:db8:1::1\", \"options\": \"0x" + RelayOptionsHex + "\", "
        + "\"peer\": \"fe80::abcd\", \"relay-id\": \"000300010A0B0C0D0E0F\", \"remote-id\": \"00000009ABCD\" } ] } }";

    private static PipelineHarness Harness(string storeExtendedInfo = "\"store-extended-info\": true,", string subnetKeys = "") => PipelineHarness.FromDhcp6(storeExtendedInfo + $$"""
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", {{subnetKeys}}
                       "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ]
        """);

    /// <summary>The relay Forge's test and Kea's lease query tests use: interface-id, remote-id, relay-id, added out of code order.</summary>
    private static RelayLayer Relay(string peer = "fe80::abcd", byte hop = 0, string link = "2001:db8:1::1")
    {
        var relay = new RelayLayer(MessageType.RelayForward, hop, Ipv6Address.Parse(link), Ipv6Address.Parse(peer));
        relay.Options.Add(new RawOption(OptionCode.RelayId, Convert.FromHexString("000300010A0B0C0D0E0F")));
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, "port1234"u8.ToArray()));
        relay.Options.Add(new RemoteIdOption(9, [0xab, 0xcd]));
        return relay;
    }

    private static Lease6 Exchange(PipelineHarness h, MessageType type, Ipv6Address? address, params RelayLayer[] relays)
    {
        var serverId = type == MessageType.Solicit ? null : PipelineHarness.ServerDuid;
        var (reply, _, _) = h.Exchange(Create(type, address: address, serverId: serverId), relays.Length > 0 ? relays : null, relays.Length > 0 ? RelaySource : null);
        Assert.NotNull(reply);
        var leased = AddressOf(reply!)!.Address;
        return h.Store.Get(leased) ?? new Lease6 { Address = leased };
    }

    [Fact]
    public void A_relayed_Solicit_stores_nothing_and_the_Request_stores_the_relay_as_Kea_does()
    {
        using var h = Harness();
        var offered = Exchange(h, MessageType.Solicit, null, Relay());
        Assert.Null(h.Store.Get(offered.Address));

        var lease = Exchange(h, MessageType.Request, offered.Address, Relay());

        Assert.Equal(StoredContext, lease.UserContext);

        // The lease file holds the same text, escaped as Kea escapes it.
        var row = LeaseCsvFormatter.FormatRow(lease).Split(',');
        Assert.Equal(StoredContext, LeaseCsvEscaping.Unescape(row[LeaseCsvSchema.UserContext]));
        Assert.Contains("&#x2c", row[LeaseCsvSchema.UserContext], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_relay_is_kept_outermost_first_and_a_relay_without_options_has_no_options_key()
    {
        using var h = Harness();
        var outer = new RelayLayer(MessageType.RelayForward, 1, Ipv6Address.Parse("2001:db8:ff::1"), Ipv6Address.Parse("2001:db8:ff::2"));
        var lease = Exchange(h, MessageType.Request, null, outer, Relay());

        Assert.Equal(
            "{ \"ISC\": { \"relay-info\": [ { \"hop\": 1, \"link\": \"2001:db8:ff::1\", \"peer\": \"2001:db8:ff::2\" }, "
            + "{ \"hop\": 0, \"link\": \"2001:db8:1::1\", \"options\": \"0x" + RelayOptionsHex + "\", \"peer\": \"fe80::abcd\", "
            + "\"relay-id\": \"000300010A0B0C0D0E0F\", \"remote-id\": \"00000009ABCD\" } ] } }",
            lease.UserContext);
    }

    [Fact]
    public void A_Renew_through_another_relay_rewrites_the_relay_information_even_when_the_lease_could_be_reused()
    {
        // cache-threshold would hand the lease back unchanged a second later; new relay data must still be written.
        using var h = Harness(subnetKeys: "\"cache-threshold\": 0.5,");
        var lease = Exchange(h, MessageType.Request, null, Relay());
        h.Time.Advance(TimeSpan.FromSeconds(1));

        var renewed = Exchange(h, MessageType.Renew, lease.Address, Relay(peer: "fe80::beef"));

        Assert.Equal(StoredContext.Replace("fe80::abcd", "fe80::beef", StringComparison.Ordinal), renewed.UserContext);
        Assert.Equal(lease.Cltt + 1, renewed.Cltt);
    }

    [Fact]
    public void A_Renew_through_the_same_relay_keeps_the_text_and_may_reuse_the_cached_lease()
    {
        using var h = Harness(subnetKeys: "\"cache-threshold\": 0.5,");
        var lease = Exchange(h, MessageType.Request, null, Relay());
        h.Time.Advance(TimeSpan.FromSeconds(1));

        var renewed = Exchange(h, MessageType.Renew, lease.Address, Relay());

        Assert.Equal(StoredContext, renewed.UserContext);
        Assert.Equal(lease.Cltt, renewed.Cltt);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("\"store-extended-info\": true,", "\"store-extended-info\": false,")]
    public void Nothing_is_stored_when_the_subnet_has_it_off(string global, string subnet)
    {
        using var h = Harness(global, subnet);
        Assert.Null(Exchange(h, MessageType.Request, null, Relay()).UserContext);
    }

    [Fact]
    public void Nothing_is_stored_for_a_client_on_the_servers_own_link()
    {
        using var h = Harness();
        Assert.Null(Exchange(h, MessageType.Request, null).UserContext);
    }

    [Fact]
    public void Reclaiming_the_lease_drops_its_user_context_as_Kea_does()
    {
        using var h = Harness();
        var lease = Exchange(h, MessageType.Request, null, Relay());
        h.Time.Advance(TimeSpan.FromSeconds(lease.ValidLifetime + 1));

        var reclaimer = new LeaseReclaimer(h.Processor.Allocation.Writer, h.Processor.Allocation.Claims, h.Leases, NullLogger.Instance);
        Assert.Equal(1, reclaimer.Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, h.Time.GetUtcNow().ToUnixTimeSeconds()));

        var reclaimed = h.Store.Get(lease.Address)!;
        Assert.Equal(LeaseState.ExpiredReclaimed, reclaimed.State);
        Assert.Null(reclaimed.UserContext);
    }

    [Fact]
    public void Other_keys_of_the_user_context_and_of_its_ISC_map_are_kept()
    {
        var lease = new Lease6 { UserContext = """{"zone": "b", "ISC": {"relays": [1], "relay-info": [ {"hop": 9} ]}, "a": [1, 2]}""" };
        var query = new Dhcp6Message(MessageType.Request, 1);
        var packet = new Dhcp6Packet(query);
        packet.Relays.Add(new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8::1"), Ipv6Address.Parse("fe80::1")));

        Assert.True(LeaseRelayInfo.Update(lease, packet));
        Assert.Equal(
            """{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8::1", "peer": "fe80::1" } ], "relays": [ 1 ] }, "a": [ 1, 2 ], "zone": "b" }""",
            lease.UserContext);
        Assert.False(LeaseRelayInfo.Update(lease, packet));
    }
}
