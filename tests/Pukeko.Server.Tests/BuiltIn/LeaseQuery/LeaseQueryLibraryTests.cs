using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.BuiltIn.LeaseQuery.LeaseQueryTestKit;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.BuiltIn.LeaseQuery;

/// <summary>The built-in lease query library over UDP (RFC 5007), through the real pipeline.</summary>
public sealed class LeaseQueryLibraryTests
{
    private static (Dhcp6Message? Reply, OutgoingDatagramView? Datagram) Ask(PipelineHarness h, Dhcp6Message query, Ipv6Address? from = null)
    {
        h.SourcePort = 547;
        h.Destination = Ipv6Address.Parse("2001:db8:1::1");
        var (reply, _, datagram) = h.Exchange(query, source: from ?? Requester);
        return (reply, datagram is { } d ? new OutgoingDatagramView(d.Destination, d.Port) : null);
    }

    private sealed record OutgoingDatagramView(Ipv6Address Destination, ushort Port);

    [Fact]
    public void Query_by_address_answers_with_the_clients_binding_and_the_time_since_it_was_last_heard()
    {
        using var h = Harness();
        Add(h, "2001:db8:1::20", ClientA, 1, age: 100);

        var (reply, datagram) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")));

        Assert.NotNull(reply);
        Assert.Equal(MessageType.LeasequeryReply, reply.Type);
        Assert.Equal(0x123456u, reply.TransactionId);
        Assert.Equal(RequesterDuid, reply.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
        Assert.Equal(PipelineHarness.ServerDuid, reply.Options.Get<DuidOption>(OptionCode.ServerId)!.Duid);
        Assert.Equal(new OutgoingDatagramView(Requester, 547), datagram);
        var data = reply.Options.Get<ClientDataOption>(OptionCode.ClientData)!;
        Assert.Equal(ClientA, data.Options.Get<DuidOption>(OptionCode.ClientId)!.Duid);
        Assert.Equal(100u, data.Options.Get<Uint32Option>(OptionCode.CltTime)!.Value);
        var address = data.Options.Get<IaAddressOption>(OptionCode.IaAddr)!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), address.Address);
        Assert.Equal(2900u, address.PreferredLifetime);
        Assert.Equal(3900u, address.ValidLifetime);
        Assert.Equal(StatusCode.Success, StatusOf(reply).Status);
        Assert.Null(reply.Options.Get(OptionCode.LqRelayData));
        Assert.Equal(1, Stat(h, "pkt6-lease-query-received"));
        Assert.Equal(1, Stat(h, "pkt6-lease-query-reply-sent"));
        Assert.Equal(1, Stat(h, "pkt6-sent"));
        Assert.Equal(0, Stat(h, "pkt6-receive-drop"));
    }

    [Theory]
    [InlineData("2001:db8:1::30", StatusCode.Success, "no active lease")]
    [InlineData("2001:db8:a000:100::1", StatusCode.Success, "no active lease")]
    [InlineData("2001:db8:1::1", StatusCode.NotConfigured, "address not in a configured pool")]
    [InlineData("2001:db8:99::1", StatusCode.NotConfigured, "address not in a configured pool")]
    public void An_address_without_a_lease_is_answered_without_client_data(string address, StatusCode status, string message)
    {
        using var h = Harness();

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address(address)));

        Assert.NotNull(reply);
        Assert.Null(reply.Options.Get(OptionCode.ClientData));
        Assert.Equal(status, StatusOf(reply).Status);
        Assert.Equal(message, StatusOf(reply).Message);
    }

    [Theory]
    [InlineData(0, 10_000L, "inactive lease exists")]
    [InlineData(1, 100L, "inactive lease exists")]
    [InlineData(2, 100L, "inactive lease exists")]
    public void An_expired_or_inactive_lease_is_not_reported(int state, long age, string message)
    {
        using var h = Harness();
        Add(h, "2001:db8:1::20", ClientA, 1, age: age, state: (LeaseState)state);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")));

        Assert.Null(reply!.Options.Get(OptionCode.ClientData));
        Assert.Equal(StatusCode.Success, StatusOf(reply).Status);
        Assert.Equal(message, StatusOf(reply).Message);
    }

    [Fact]
    public void An_address_inside_a_delegated_prefix_finds_the_prefix_by_the_pools_delegated_length()
    {
        using var h = Harness();
        Add(h, "2001:db8:a000:100::", ClientB, 1, type: LeaseType.PD, length: 56);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:a000:1ab::42")));

        var prefix = reply!.Options.Get<ClientDataOption>(OptionCode.ClientData)!.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)!;
        Assert.Equal(56, prefix.PrefixLength);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:a000:100::/56"), prefix.AsPrefix);
        Assert.Equal("active lease found", StatusOf(reply).Message);
    }

    [Fact]
    public void Configured_prefix_lengths_replace_those_of_the_pools()
    {
        using var h = Harness(""" "requesters": [ "2001:db8:ff::1" ], "prefix-lengths": [ 64, 60 ] """);
        Add(h, "2001:db8:a000:100::", ClientB, 1, type: LeaseType.PD, length: 56);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:a000:1ab::42")));

        Assert.Null(reply!.Options.Get(OptionCode.ClientData));
        Assert.Equal("no active lease", StatusOf(reply).Message);
    }

    [Fact]
    public void Query_by_client_id_on_several_links_answers_with_the_links()
    {
        using var h = Harness();
        Add(h, "2001:db8:1::20", ClientA, 1);
        Add(h, "2001:db8:2::20", ClientA, 2);
        Add(h, "2001:db8:1::21", ClientB, 1);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByClientId, Client(ClientA)));

        Assert.Null(reply!.Options.Get(OptionCode.ClientData));
        var links = reply.Options.Get<AddressListOption>(OptionCode.LqClientLink)!;
        Assert.Equal([Ipv6Address.Parse("2001:db8:1::"), Ipv6Address.Parse("2001:db8:2::")], links.Addresses.Order());
        Assert.Equal(StatusCode.Success, StatusOf(reply).Status);
    }

    [Fact]
    public void Query_by_client_id_on_one_link_answers_with_that_links_bindings_newest_first()
    {
        using var h = Harness();
        Add(h, "2001:db8:1::20", ClientA, 1, age: 500);
        Add(h, "2001:db8:1::21", ClientA, 1, age: 50);
        Add(h, "2001:db8:2::20", ClientA, 2);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByClientId, Client(ClientA), link: Ipv6Address.Parse("2001:db8:1::")));

        var data = reply!.Options.Get<ClientDataOption>(OptionCode.ClientData)!;
        Assert.Equal(50u, data.Options.Get<Uint32Option>(OptionCode.CltTime)!.Value);
        Assert.Equal(
            [Ipv6Address.Parse("2001:db8:1::21"), Ipv6Address.Parse("2001:db8:1::20")],
            data.Options.GetAll(OptionCode.IaAddr).Cast<IaAddressOption>().Select(a => a.Address));
    }

    [Fact]
    public void Query_by_client_id_for_a_link_not_configured_is_NotConfigured_and_an_unknown_client_has_no_data()
    {
        using var h = Harness();

        var (other, _) = Ask(h, Query(LeasequeryType.ByClientId, Client(ClientA), link: Ipv6Address.Parse("2001:db8:77::")));
        var (none, _) = Ask(h, Query(LeasequeryType.ByClientId, Client(ClientA)));

        Assert.Equal(StatusCode.NotConfigured, StatusOf(other!).Status);
        Assert.Equal(StatusCode.Success, StatusOf(none!).Status);
        Assert.Equal("no active leases", StatusOf(none!).Message);
        Assert.Null(none!.Options.Get(OptionCode.ClientData));
    }

    [Fact]
    public void Relay_information_stored_with_the_lease_comes_back_as_relay_data()
    {
        using var h = Harness();
        Add(h, "2001:db8:1::20", ClientA, 1, userContext: RelayContext("2001:db8:1::1", "fe80::99", "0025000600000009abcd"));

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")));

        var relay = reply!.Options.Get<LqRelayDataOption>(OptionCode.LqRelayData)!;
        Assert.Equal(Ipv6Address.Parse("fe80::99"), relay.PeerAddress);
        Assert.Equal((byte)MessageType.RelayForward, relay.RelayMessage[0]);
        Assert.Equal(0, relay.RelayMessage[1]);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::1"), new Ipv6Address(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(relay.RelayMessage.AsSpan(2, 16))));
        Assert.Equal("0025000600000009abcd", Convert.ToHexStringLower(relay.RelayMessage.AsSpan(34)));
    }

    [Fact]
    public void Relay_information_of_two_relays_nests_the_inner_one_in_a_relay_message_option()
    {
        using var h = Harness();
        const string context = """{ "ISC": { "relays": [ { "hop": 1, "link": "::", "peer": "fe80::2", "options": "0x00120002aabb" }, { "hop": 0, "link": "2001:db8:1::1", "peer": "fe80::1" } ] } }""";
        Add(h, "2001:db8:1::20", ClientA, 1, userContext: context);

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")));

        var message = reply!.Options.Get<LqRelayDataOption>(OptionCode.LqRelayData)!.RelayMessage;
        Assert.Equal(34 + 6 + 4 + 34, message.Length);
        Assert.Equal(1, message[1]);
        Assert.Equal("00120002aabb" + "00090022", Convert.ToHexStringLower(message.AsSpan(34, 10)));
        Assert.Equal(12, message[44]);
        Assert.Equal(0, message[45]);
    }

    [Fact]
    public void A_query_from_an_address_outside_the_requesters_is_dropped_as_admin_filtered()
    {
        using var h = Harness();

        var (reply, _) = Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")), from: Ipv6Address.Parse("2001:db8:ff::2"));

        Assert.Null(reply);
        Assert.Equal(1, Stat(h, "pkt6-admin-filtered"));
        Assert.Equal(1, Stat(h, "pkt6-receive-drop"));
        Assert.Equal(0, Stat(h, "pkt6-lease-query-reply-sent"));
    }

    [Fact]
    public void A_requester_prefix_admits_every_address_in_it()
    {
        using var h = Harness(""" "requesters": [ "2001:db8:ff::/64" ] """);

        Assert.NotNull(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")), from: Ipv6Address.Parse("2001:db8:ff::77")).Reply);
        Assert.Null(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20")), from: Ipv6Address.Parse("2001:db8:fe::77")).Reply);
    }

    [Fact]
    public void Queries_breaking_the_rules_are_dropped_and_counted_as_Kea_counts_them()
    {
        using var h = Harness();

        Assert.Null(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"), clientId: false)).Reply);
        Assert.Equal(1, Stat(h, "pkt6-rfc-violation"));

        Assert.Null(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"), serverId: ClientB)).Reply);
        Assert.Equal(1, Stat(h, "pkt6-not-for-us"));

        var noLq = new Dhcp6Message(MessageType.Leasequery, 7);
        noLq.Options.Add(new DuidOption(OptionCode.ClientId, RequesterDuid));
        Assert.Null(Ask(h, noLq).Reply);
        Assert.Equal(2, Stat(h, "pkt6-rfc-violation"));
        Assert.Equal(3, Stat(h, "pkt6-receive-drop"));

        Assert.NotNull(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"), serverId: PipelineHarness.ServerDuid)).Reply);
    }

    [Theory]
    [InlineData(LeasequeryType.ByAddress, StatusCode.MalformedQuery, "missing D6O_IAADDR")]
    [InlineData(LeasequeryType.ByClientId, StatusCode.MalformedQuery, "missing D6O_CLIENTID")]
    [InlineData(LeasequeryType.ByRelayId, StatusCode.UnknownQueryType, "unknown query-type")]
    [InlineData((LeasequeryType)99, StatusCode.UnknownQueryType, "unknown query-type")]
    public void A_query_lacking_what_its_type_needs_or_of_a_type_not_served_over_UDP_gets_a_status(LeasequeryType type, StatusCode status, string message)
    {
        using var h = Harness();

        var (reply, _) = Ask(h, Query(type));

        Assert.Equal(status, StatusOf(reply!).Status);
        Assert.Equal(message, StatusOf(reply!).Message);
        Assert.Null(reply!.Options.Get(OptionCode.ClientData));
    }

    [Fact]
    public void Without_the_library_a_leasequery_is_dropped_as_an_unknown_message()
    {
        using var h = Harness(wire: false);
        Add(h, "2001:db8:1::20", ClientA, 1);

        Assert.Null(Ask(h, Query(LeasequeryType.ByAddress, Address("2001:db8:1::20"))).Reply);
        Assert.Equal(1, Stat(h, "pkt6-receive-drop"));
        Assert.Equal(0, Stat(h, "pkt6-lease-query-reply-sent"));
    }

    private static string Library(string parameters) => Dhcp6($$"""
        "hooks-libraries": [ { "library": "/opt/lib/kea/hooks/libdhcp_lease_query.so", "parameters": {{parameters}} } ]
        """);

    [Theory]
    [InlineData("""{ }""", "Dhcp6/hooks-libraries[0]/parameters", "'requesters' address list is missing or not a list")]
    [InlineData("""{ "requesters": [] }""", "Dhcp6/hooks-libraries[0]/parameters/requesters", "'requesters' list cannot be empty")]
    [InlineData("""{ "requesters": [ "2001:db8::zz" ] }""", "Dhcp6/hooks-libraries[0]/parameters/requesters[0]", "address entry '2001:db8::zz' is invalid")]
    [InlineData("""{ "requesters": [ "::1", "::1" ] }""", "Dhcp6/hooks-libraries[0]/parameters/requesters[1]", "already in the list")]
    [InlineData("""{ "requesters": [ "2001:db8::/200" ] }""", "Dhcp6/hooks-libraries[0]/parameters/requesters[0]", "CIDR entry '2001:db8::/200' is invalid")]
    [InlineData("""{ "requesters": [ "::1" ], "prefix-lengths": [ 56, 0 ] }""", "Dhcp6/hooks-libraries[0]/parameters/prefix-lengths[1]", "must be an integer greater than 0")]
    [InlineData("""{ "requesters": [ "::1" ], "prefix-lengths": 56 }""", "Dhcp6/hooks-libraries[0]/parameters/prefix-lengths", "'prefix-lengths' is not a list")]
    [InlineData("""{ "requesters": [ "::1" ], "color": "red" }""", "Dhcp6/hooks-libraries[0]/parameters/color", "spurious 'color' parameter")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "lease-query-tcp-port": 70000 } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/lease-query-tcp-port", "invalid lease-query-tcp-port '70000'")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "lease-query-ip": "10.0.0.1" } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/lease-query-ip", "invalid lease-query-ip")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "active-query-enabled": true } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/active-query-enabled", "Active query is not supported")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "max-requester-connections": 0 } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/max-requester-connections", "invalid max-requester-connections '0'")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "bulk-query-enabled": "yes" } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/bulk-query-enabled", "must be a boolean")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "cert-file": "/etc/kea/cert.pem" } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/cert-file", "TLS for bulk leasequery is not built into Pukeko")]
    [InlineData("""{ "requesters": [ "::1" ], "advanced": { "threads": 2 } }""", "Dhcp6/hooks-libraries[0]/parameters/advanced/threads", "spurious 'threads' parameter")]
    public void A_wrong_parameter_fails_the_configuration_with_its_path(string parameters, string path, string fragment) =>
        LoadFails(Library(parameters), path, fragment);

    [Fact]
    public void Kea_parameters_load_as_a_built_in_library()
    {
        var config = LoadOk(Library("""
            { "requesters": [ "2001:db8:ff::1", "2001:db8:fe::/64" ], "prefix-lengths": [ 48, 56 ], "comment": "relays",
              "advanced": { "bulk-query-enabled": true, "lease-query-ip": "2001:db8::5", "lease-query-tcp-port": 5547,
                            "max-requester-connections": 4, "max-concurrent-queries": 2, "max-requester-idle-time": 30,
                            "max-leases-per-fetch": 50, "max-bulk-query-threads": 2 } }
            """));

        var options = config.HooksLibraries.Select(l => l.BuiltInOptions).OfType<Pukeko.Server.BuiltIn.LeaseQuery.LeaseQueryOptions>().Single();
        Assert.Equal([56, 48], options.PrefixLengths!);
        Assert.True(options.Requesters.Contains(Ipv6Address.Parse("2001:db8:fe::9")));
        var bulk = options.Advanced!;
        Assert.True(bulk.BulkQueryEnabled);
        Assert.True(bulk.ExtendedInfoTablesEnabled);
        Assert.Equal(Ipv6Address.Parse("2001:db8::5"), bulk.LeaseQueryIp);
        Assert.Equal(5547, bulk.LeaseQueryTcpPort);
        Assert.Equal(4, bulk.MaxRequesterConnections);
        Assert.Equal(2, bulk.MaxConcurrentQueries);
        Assert.Equal(30, bulk.MaxRequesterIdleTime);
        Assert.Equal(50, bulk.MaxLeasesPerFetch);
        Assert.Equal(Pukeko.Server.Hooks.KeaNativeLibraryKind.BuiltIn, Pukeko.Server.Hooks.KeaNativeLibraries.Find("libdhcp_lease_query.so")!.Kind);
    }
}
