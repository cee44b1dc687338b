using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>
/// Reserved classes found after subnet selection (<c>early-global-reservations-lookup</c> false, Kea's default), as
/// Kea's initContext applies them: a global reservation's classes, and any reservation's classes outside a shared
/// network, join at once and the arrival tests are evaluated again, so they guide pool and shared-network member
/// choice and option precedence; a subnet reservation's classes in a shared network join only once the leases are
/// chosen.
/// </summary>
public sealed class LateReservationClassesTests
{
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);

    // "ordinary" matches until the client is in "gold"; ClientDuid's hardware address (00:01:02:03:04:05) is reserved.
    private const string Classes = """
        "client-classes": [
            { "name": "gold", "option-data": [ { "name": "preference", "data": "200" }, { "name": "dns-servers", "data": "2001:db8::53" } ] },
            { "name": "ordinary", "test": "not member('gold')", "option-data": [ { "name": "preference", "data": "7" } ] } ],
        """;

    private const string GoldReservation = """{ "hw-address": "00:01:02:03:04:05", "client-classes": [ "gold" ] }""";

    // Subnet 1's first pool is for "ordinary" clients, its second for "gold" ones.
    private const string GuardedPools = """
        "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f", "client-classes": [ "ordinary" ] },
                   { "pool": "2001:db8:1::20-2001:db8:1::2f", "client-classes": [ "gold" ] } ]
        """;

    // The client's global reservation gives a DNS server; KNOWN clients get preference 9; the only subnet is on
    // another interface, so none is selected.
    private const string UnselectedSubnet = """
        "reservations-global": true,
        "client-classes": [ { "name": "known-client", "test": "member('KNOWN')",
                              "option-data": [ { "name": "preference", "data": "9" } ] } ],
        "reservations": [ { "hw-address": "00:01:02:03:04:05",
                            "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] } ],
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth9",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
        """;

    private static Dhcp6Message Solicit(PipelineHarness h, Duid? client = null) =>
        h.Exchange(Create(MessageType.Solicit, clientId: client, oro: [OptionCode.Preference, OptionCode.DnsServers])).Reply!;

    private static Ipv6Address? Address(Dhcp6Message reply) => AddressOf(reply)?.Address;

    private static byte Preference(Dhcp6Message reply) => reply.Options.Get(OptionCode.Preference)!.GetData()[0];

    private static Dhcp6Message InformationRequest(PipelineHarness h) =>
        h.Exchange(Create(MessageType.InformationRequest, oro: [OptionCode.Preference, OptionCode.DnsServers])).Reply!;

    [Fact]
    public void ALateGlobalClassGuidesThePoolInASharedNetworkAndReplacesTheClassesThatExcludeIt()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", {{GuardedPools}} } ] } ]
            """)));

        // The reserved client is "gold" and no longer "ordinary": the gold pool, and gold's option alone.
        var reserved = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Address(reserved));
        Assert.Equal(200, Preference(reserved));

        var stranger = Solicit(h, Stranger);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(stranger));
        Assert.Equal(7, Preference(stranger));
    }

    [Fact]
    public void ALateGlobalClassLeadsToTheClassGuardedMemberOfASharedNetwork()
    {
        // Subnet 1 is for "gold" clients only, so subnet 2 is selected; the reservation found there makes the client
        // "gold" and not "ordinary", which subnet 2's only pool needs, so the client is served from subnet 1.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "client-classes": [ "gold" ],
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] },
                { "id": 2, "subnet": "2001:db8:2::/64",
                  "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f", "client-classes": [ "ordinary" ] } ] } ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void ALateGlobalClassDoesNotChooseTheSubnetButGuidesThePoolOfTheOneSelected()
    {
        // Outside a shared network the subnet is chosen before the reservation is found, so the gold-only subnet is
        // not the client's; within the subnet selected, the class still chooses the pool.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "subnet6": [
                { "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth0", "client-classes": [ "gold" ],
                  "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] },
                { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", {{GuardedPools}} } ]
            """)));

        var reserved = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Address(reserved));
        Assert.Equal(200, Preference(reserved));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void WithoutGlobalReservationsTheGlobalClassIsNotApplied()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", {{GuardedPools}} } ]
            """)));

        var reply = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(reply));
        Assert.Equal(7, Preference(reply));
    }

    [Fact]
    public void ASubnetReservationClassOutsideASharedNetworkGuidesThePool()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            {{Classes}}
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", {{GuardedPools}},
                "reservations": [ {{GoldReservation}} ] } ]
            """)));

        var reply = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Address(reply));
        Assert.Equal(200, Preference(reply));
    }

    [Fact]
    public void ASubnetReservationClassInASharedNetworkJoinsOnlyAfterTheLeasesAreChosen()
    {
        // Kea leaves it out of the classification before allocation (the subnet may still change): the gold pool is
        // not the client's; then "gold" joins, in time for its options.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            {{Classes}}
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "reservations": [ {{GoldReservation}} ],
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f", "client-classes": [ "gold" ] },
                             { "pool": "2001:db8:1::20-2001:db8:1::2f" } ] } ] } ]
            """)));

        var reply = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Address(reply));
        Assert.True(reply.Options.Contains(OptionCode.DnsServers));
        Assert.False(Solicit(h, Stranger).Options.Contains(OptionCode.DnsServers));
    }

    [Fact]
    public void AnEarlyGlobalClassIsNotAppliedTwice()
    {
        // Looked up early, the class chose the subnet already; the late step keeps the classes as they are.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "early-global-reservations-lookup": true,
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", {{GuardedPools}} } ] } ]
            """)));

        var reply = Solicit(h);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Address(reply));
        Assert.Equal(200, Preference(reply));
    }

    [Fact]
    public void ASubnetWhoseGuardTheLateClassesNoLongerMeetGivesNoAddress()
    {
        // Selected while the client was "ordinary"; its global reservation makes it "gold" and not "ordinary", and the
        // allocation checks the subnet's guard with those classes, as Kea's does: no address.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "client-classes": [ "ordinary" ],
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
            """)));

        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(Solicit(h)).Options));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void ALeaseInASubnetWhoseGuardTheLateClassesNoLongerMeetIsRenewedWithZeroLifetimes()
    {
        // As Kea's renewal: the lease is taken, found not allowed by the subnet's classes, removed and returned with
        // zero lifetimes.
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "client-classes": [ "ordinary" ],
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
            """)));
        var held = Ipv6Address.Parse("2001:db8:1::10");
        h.Store.Add(new Pukeko.Server.Leases.Lease6
        {
            Address = held, Duid = ClientDuid.ToArray(), Iaid = 1, ValidLifetime = 4000, PreferredLifetime = 3000,
            Cltt = 1_700_000_000, SubnetId = 1,
        });

        var reply = h.Exchange(Create(MessageType.Renew, address: held, serverId: PipelineHarness.ServerDuid)).Reply!;
        var returned = AddressOf(reply)!;
        Assert.Equal(held, returned.Address);
        Assert.Equal(0u, returned.ValidLifetime);
        Assert.Null(h.Store.Get(held));
    }

    [Fact]
    public void ASharedNetworkMemberWhoseGuardTheLateClassesNoLongerMeetIsLeftForAnother()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6($$"""
            "reservations-global": true,
            {{Classes}}
            "reservations": [ {{GoldReservation}} ],
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "client-classes": [ "ordinary" ],
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] },
                { "id": 2, "subnet": "2001:db8:2::/64", "client-classes": [ "gold" ],
                  "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] } ] } ]
            """)));

        Assert.Equal(Ipv6Address.Parse("2001:db8:2::10"), Address(Solicit(h)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Address(Solicit(h, Stranger)));
    }

    [Fact]
    public void WithNoSubnetSelectedNoReservationIsLookedUp()
    {
        // As Kea's initContext: without a subnet there is no host lookup, so the global reservation's options are not
        // given and the client is UNKNOWN (its class "known-client" does not match).
        using var h = new PipelineHarness(LoadOk(Dhcp6(UnselectedSubnet)));

        var reply = InformationRequest(h);
        Assert.False(reply.Options.Contains(OptionCode.DnsServers));
        Assert.False(reply.Options.Contains(OptionCode.Preference));
    }

    [Fact]
    public void WithNoSubnetSelectedAnEarlyGlobalReservationStillMakesTheClientKnown()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("\"early-global-reservations-lookup\": true, " + UnselectedSubnet)));

        var reply = InformationRequest(h);
        Assert.False(reply.Options.Contains(OptionCode.DnsServers));
        Assert.Equal(9, reply.Options.Get(OptionCode.Preference)!.GetData()[0]);
    }
}
