using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Reservations;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>
/// Kea's findReservation in a shared network: the client's reservation is looked for in every member subnet its
/// classes allow (each by its own <c>reservations-in-subnet</c>), starting with the selected one; any reservation
/// found makes it KNOWN, and a reserved address from another member serves it from that member, with that
/// reservation's options and classes.
/// </summary>
public sealed class SharedNetworkReservationTests
{
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);

    private const string Client = "\"hw-address\": \"00:01:02:03:04:05\"";

    private static string Network(string first, string second, string global = "") => Dhcp6($$"""
        {{global}}
        "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
            { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] {{first}} },
            { "id": 2, "subnet": "2001:db8:2::/64", "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] {{second}} } ] } ]
        """);

    private static Dhcp6Message Solicit(PipelineHarness h, Duid? client = null, params ushort[] oro) =>
        h.Exchange(Create(MessageType.Solicit, clientId: client, oro: oro)).Reply!;

    private static Ipv6Address? Address(Dhcp6Message reply) => AddressOf(reply)?.Address;

    [Fact]
    public void AReservationInAnotherMemberServesTheClientFromThatMember()
    {
        using var h = new PipelineHarness(LoadOk(Network("", $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(Solicit(h)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void TheReservedPrefixOfAnotherMemberIsDelegated()
    {
        using var h = new PipelineHarness(LoadOk(Network("", $$"""
            , "pd-pools": [ { "prefix": "2001:db8:f000::", "prefix-len": 40, "delegated-len": 56 } ],
              "reservations": [ { {{Client}}, "prefixes": [ "2001:db8:ab00::/56" ] } ]
            """)));

        var solicit = new Dhcp6Message(MessageType.Solicit, 0x1234);
        solicit.Options.Add(new DuidOption(OptionCode.ClientId, ClientDuid));
        solicit.Options.Add(new IaPdOption(7, 0, 0));
        var reply = h.Exchange(solicit).Reply!;
        var prefix = reply.Options.Get<IaPdOption>(OptionCode.IaPd)!.Options.Get<IaPrefixOption>(OptionCode.IaPrefix)!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:ab00::"), prefix.Prefix);
        Assert.Equal(56, prefix.PrefixLength);
    }

    [Fact]
    public void AReservationInAnotherMemberMakesTheClientKnown()
    {
        // The selected subnet's pool is for KNOWN clients only; the reservation (no address) is in subnet 2.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64",
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f", "client-classes": [ "KNOWN" ] } ] },
                { "id": 2, "subnet": "2001:db8:2::/64", "reservations": [ { {{Client}} } ] } ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h)));
        Assert.Null(Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void TheMemberReservationsOptionsAndClassesComeWithItsAddress()
    {
        using var h = new PipelineHarness(LoadOk(Network("", $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ], "client-classes": [ "gold" ],
                                  "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] } ]
            """, """
            "client-classes": [ { "name": "gold", "option-data": [ { "name": "preference", "data": "200" } ] } ],
            """)));

        var reply = Solicit(h, null, OptionCode.DnsServers, OptionCode.Preference);
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(reply));
        Assert.NotNull(reply.Options.Get(OptionCode.DnsServers));
        Assert.Equal(200, reply.Options.Get(OptionCode.Preference)!.GetData()[0]);
    }

    [Fact]
    public void WithReservationsInTwoMembersTheSelectedSubnetsComesFirst()
    {
        using var h = new PipelineHarness(LoadOk(Network($$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:1::99" ] } ]
            """, $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::99"), Address(Solicit(h)));
    }

    [Fact]
    public void AMemberWithoutInSubnetReservationsIsPassedOver()
    {
        using var h = new PipelineHarness(LoadOk(Network($$"""
            , "reservations-in-subnet": false, "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:1::99" ] } ]
            """, $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(Solicit(h)));
    }

    [Fact]
    public void AMemberTheClientsClassesDoNotAllowIsNotSearched()
    {
        using var h = new PipelineHarness(LoadOk(Network("", $$"""
            , "client-classes": [ "gold" ], "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """, """
            "client-classes": [ { "name": "gold", "test": "member('KNOWN')" } ],
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h)));
    }

    [Fact]
    public void AMemberReservationComesBeforeTheGlobalOne()
    {
        using var h = new PipelineHarness(LoadOk(Network(", \"reservations-global\": true", $$"""
            , "reservations-global": true, "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """, $$"""
            "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:1::77" ] } ],
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(Solicit(h)));
    }

    [Fact]
    public void AGlobalReservationWhereTheSelectedSubnetHasNoInSubnetReservationsStopsTheSearch()
    {
        // As Kea: the selected subnet uses only global reservations and the client has one, so the members'
        // reservations are not looked at; the global reservation's address is given.
        using var h = new PipelineHarness(LoadOk(Network(", \"reservations-global\": true, \"reservations-in-subnet\": false", $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """, $$"""
            "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:1::77" ] } ],
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::77"), Address(Solicit(h)));
    }

    [Fact]
    public void WithoutAGlobalReservationTheMembersAreSearchedEvenWhenTheSelectedSubnetHasNoInSubnetReservations()
    {
        using var h = new PipelineHarness(LoadOk(Network(", \"reservations-global\": true, \"reservations-in-subnet\": false", $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(Solicit(h)));
    }

    [Fact]
    public async Task AHostDatabaseReservationInAnotherMemberIsFoundToo()
    {
        var database = new InMemoryHostDatabase();
        await database.AddAsync(new HostReservation
        {
            IdentifierType = HostIdentifierType.HwAddress,
            Identifier = [0, 1, 2, 3, 4, 5],
            SubnetId = 2,
            IpAddresses = [Ipv6Address.Parse("2001:db8:2::99")],
        }, uniqueReservations: true);
        using var h = new PipelineHarness(LoadOk(Network("", "")), hostSources: [database]);

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(Solicit(h)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public async Task TheHostnameOfTheMemberReservationThatServesTheClientGoesInTheLeaseAndTheReply()
    {
        using var h = new PipelineHarness(LoadOk(Network("""
            , "reservations": [ { "hw-address": "00:01:02:03:04:05", "hostname": "alpha" } ]
            """, $$"""
            , "reservations": [ { {{Client}}, "ip-addresses": [ "2001:db8:2::99" ], "hostname": "beta" } ]
            """, """
            "ddns-qualifying-suffix": "example.org",
            """)));

        var request = Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);
        request.Options.Add(new ClientFqdnOption(ClientFqdnOption.FlagS, "client", isPartialName: true));
        var reply = h.Exchange(request).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::99"), Address(reply));
        Assert.Equal("beta.example.org", reply.Options.Get<ClientFqdnOption>(OptionCode.ClientFqdn)!.DomainName);
        var lease = await h.Store.GetAsync(Ipv6Address.Parse("2001:db8:2::99"));
        Assert.Equal("beta.example.org.", lease!.Hostname);
    }
}
