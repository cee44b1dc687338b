using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.FlexId;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>The built-in flexible identifier library (<c>libdhcp_flex_id.so</c>), loaded from a Kea configuration and run through the whole pipeline.</summary>
public sealed class FlexIdLibraryTests
{
    private static readonly Ipv6Address Reserved = Ipv6Address.Parse("2001:db8:1::f00");
    private static readonly Duid OtherDevice = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x99]);

    /// <summary>A harness running <paramref name="parameters"/> for the library, with <paramref name="reservations"/> in subnet 1.</summary>
    private static PipelineHarness Harness(string parameters, string reservations = "[]", string identifiers = """[ "duid", "flex-id" ]""")
    {
        var h = PipelineHarness.FromDhcp6($$"""
            "host-reservation-identifiers": {{identifiers}},
            "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so", "parameters": {{parameters}} } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                "reservations": {{reservations}} } ]
            """);
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        return h;
    }

    /// <summary>A query relayed by a relay that put <paramref name="interfaceId"/> in its interface-id option.</summary>
    private static (Dhcp6Message Reply, List<RelayLayer> Relays) Relayed(PipelineHarness h, Dhcp6Message query, string interfaceId)
    {
        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:1::1"), PipelineHarness.ClientLinkLocal);
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, System.Text.Encoding.ASCII.GetBytes(interfaceId)));
        var (reply, relays, _) = h.Exchange(query, [relay]);
        Assert.NotNull(reply);
        return (reply, relays);
    }

    private static Dhcp6Message Request(Duid? client = null, uint iaid = 1) =>
        Create(MessageType.Request, iaid: iaid, serverId: PipelineHarness.ServerDuid, clientId: client);

    private static Duid ClientIdOf(Dhcp6Message reply) => reply.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid;

    [Theory]
    [InlineData("'port1234'")]
    [InlineData("70:6f:72:74:31:32:33:34")]
    [InlineData("706f727431323334")]
    public void The_expression_value_finds_the_flex_id_reservation_written_as_text_or_hex(string flexId)
    {
        using var h = Harness(
            """{ "identifier-expression": "substring(relay6[0].option[18].hex,0,8)" }""",
            $$"""[ { "flex-id": "{{flexId}}", "ip-addresses": [ "2001:db8:1::f00" ] } ]""");
        var (reply, _) = Relayed(h, Create(MessageType.Solicit), "port1234-and-more");
        Assert.Equal(Reserved, AddressOf(reply)!.Address);

        // Another port evaluates to another identifier: no reservation, an address from the pool.
        var (other, _) = Relayed(h, Create(MessageType.Solicit), "port9999");
        Assert.NotEqual(Reserved, AddressOf(other)!.Address);
    }

    [Fact]
    public void The_expression_names_an_option_of_the_configurations_option_def()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "option-def": [ { "name": "site-tag", "code": 65000, "type": "string" } ],
            "host-reservation-identifiers": [ "flex-id" ],
            "hooks-libraries": [ { "library": "libdhcp_flex_id.so", "parameters": { "identifier-expression": "option[site-tag].hex" } } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                "reservations": [ { "flex-id": "'lab-7'", "ip-addresses": [ "2001:db8:1::f00" ] } ] } ]
            """);
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);

        var tagged = Create(MessageType.Solicit);
        tagged.Options.Add(new RawOption(65000, "lab-7"u8));
        Assert.Equal(Reserved, AddressOf(h.Exchange(tagged).Reply!)!.Address);
        Assert.NotEqual(Reserved, AddressOf(h.Exchange(Create(MessageType.Solicit, clientId: OtherDevice)).Reply!)!.Address);
    }

    [Fact]
    public void An_empty_value_is_no_identifier_and_the_client_gets_a_pool_address()
    {
        using var h = Harness(
            """{ "identifier-expression": "relay6[0].option[18].hex" }""",
            """[ { "flex-id": "'port1234'", "ip-addresses": [ "2001:db8:1::f00" ] } ]""");
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!; // not relayed: the expression is empty
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(reply)!.Address);
    }

    [Fact]
    public void The_identifier_is_not_computed_when_flex_id_is_not_a_reservation_identifier()
    {
        using var h = Harness(
            """{ "identifier-expression": "relay6[0].option[18].hex" }""",
            """[ { "flex-id": "'port1234'", "ip-addresses": [ "2001:db8:1::f00" ] } ]""",
            identifiers: """[ "duid" ]""");
        var (reply, _) = Relayed(h, Create(MessageType.Solicit), "port1234");
        Assert.NotEqual(Reserved, AddressOf(reply)!.Address);
    }

    [Fact]
    public void Replace_client_id_stores_the_lease_under_the_flex_id_and_answers_with_the_clients_own_duid()
    {
        using var h = Harness("""{ "identifier-expression": "relay6[0].option[18].hex", "replace-client-id": true }""");
        var (reply, _) = Relayed(h, Request(), "port1234");
        var address = AddressOf(reply)!.Address;
        Assert.Equal(ClientDuid, ClientIdOf(reply));

        var lease = h.Store.Get(address)!;
        Assert.Equal([0, 0, .. "port1234"u8.ToArray()], lease.Duid);

        // A replaced device behind the same port is the same client: it gets the same lease, under its own DUID in the reply.
        var (again, _) = Relayed(h, Request(OtherDevice), "port1234");
        Assert.Equal(address, AddressOf(again)!.Address);
        Assert.Equal(OtherDevice, ClientIdOf(again));
        Assert.Single(h.Store.GetAll());
    }

    [Fact]
    public void Replace_client_id_finds_a_duid_reservation_of_the_synthesized_duid()
    {
        // The server sees the DUID 00:00 + identifier, so a duid reservation of that value matches (Kea: lease6-get by that DUID).
        using var h = Harness(
            """{ "identifier-expression": "relay6[0].option[18].hex", "replace-client-id": true }""",
            """[ { "duid": "00:00:70:6f:72:74:31", "ip-addresses": [ "2001:db8:1::f00" ] } ]""");
        var (reply, _) = Relayed(h, Request(), "port1");
        Assert.Equal(Reserved, AddressOf(reply)!.Address);
        Assert.Equal(ClientDuid, ClientIdOf(reply));
    }

    [Fact]
    public void Without_replace_client_id_the_lease_keeps_the_clients_duid()
    {
        using var h = Harness(
            """{ "identifier-expression": "relay6[0].option[18].hex" }""",
            """[ { "flex-id": "'port1234'", "ip-addresses": [ "2001:db8:1::f00" ] } ]""");
        var (reply, _) = Relayed(h, Request(), "port1234");
        Assert.Equal(Reserved, AddressOf(reply)!.Address);
        Assert.Equal(ClientDuid.ToArray(), h.Store.Get(Reserved)!.Duid);
    }

    [Fact]
    public void Ignore_iaid_stores_iaid_zero_and_answers_with_the_clients_iaid()
    {
        using var h = Harness("""{ "ignore-iaid": true }""");
        var reply = h.Exchange(Request(iaid: 77)).Reply!;
        var address = AddressOf(reply, iaid: 77)!.Address;
        Assert.Equal(0u, h.Store.Get(address)!.Iaid);

        // The same client with another IAID (a reinstalled OS, say) keeps its lease.
        var again = h.Exchange(Request(iaid: 5)).Reply!;
        Assert.Equal(address, AddressOf(again, iaid: 5)!.Address);
        Assert.Single(h.Store.GetAll());
    }

    [Fact]
    public void Ignore_iaid_leaves_the_iaids_of_several_ia_nas_alone()
    {
        using var h = Harness("""{ "ignore-iaid": true }""");
        var query = Request(iaid: 1);
        query.Options.Add(new IaNaOption(2, 0, 0));
        var reply = h.Exchange(query).Reply!;
        Assert.Equal(1u, h.Store.Get(AddressOf(reply, iaid: 1)!.Address)!.Iaid);
        Assert.Equal(2u, h.Store.Get(AddressOf(reply, iaid: 2)!.Address)!.Iaid);
    }

    [Fact]
    public void Ignore_iaid_applies_before_the_expression_sees_the_packet()
    {
        // Kea: "the change is visible in the identifier expression if the IAID is part of the expression".
        using var h = Harness(
            """{ "identifier-expression": "substring(option[3].hex,0,4)", "ignore-iaid": true }""",
            """[ { "flex-id": "00:00:00:00", "ip-addresses": [ "2001:db8:1::f00" ] } ]""");
        var reply = h.Exchange(Request(iaid: 1234)).Reply!;
        Assert.Equal(Reserved, AddressOf(reply, iaid: 1234)!.Address);
    }

    [Fact]
    public void Parameters_are_checked_with_their_json_path()
    {
        static string Config(string parameters) => Dhcp6($$"""
            "hooks-libraries": [ { "library": "libdhcp_flex_id.so", "parameters": {{parameters}} } ]
            """);
        LoadFails(Config("""{ "identifier-expression": 5 }"""), "Dhcp6/hooks-libraries[0]/parameters/identifier-expression", "the identifier-expression is integer, but expected JSON string");
        LoadFails(Config("""{ "identifier-expression": "substring(" }"""), "Dhcp6/hooks-libraries[0]/parameters/identifier-expression", "fails to parse");
        LoadFails(Config("""{ "identifier-expression": "option[1].hex", "replace-client-id": "yes" }"""), "Dhcp6/hooks-libraries[0]/parameters/replace-client-id", "the replace-client-id is string but expected boolean value");
        LoadFails(Config("""{ "ignore-iaid": 1 }"""), "Dhcp6/hooks-libraries[0]/parameters/ignore-iaid", "expected boolean value");

        // Kea 3.1.2+: the expression is optional; the DHCPv4-only cid-as-rfc4361-duid is ignored by kea-dhcp6.
        var config = LoadOk(Config("""{ "ignore-iaid": true, "cid-as-rfc4361-duid": true }"""));
        var options = Assert.IsType<FlexIdOptions>(Assert.Single(config.HooksLibraries).BuiltInOptions);
        Assert.True(options.IgnoreIaid);
        Assert.Null(options.Expression);
    }
}
