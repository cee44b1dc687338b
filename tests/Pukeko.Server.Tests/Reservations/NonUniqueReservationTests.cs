using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>
/// <c>ip-reservations-unique</c>: with true (Kea's default) an address or prefix is reserved for one host only;
/// with false several hosts may reserve it, the first of them to ask gets it, and it is never taken from the client
/// holding it (Kea's allocateReservedLeases6 skips a reserved address that has a lease).
/// </summary>
public sealed class NonUniqueReservationTests
{
    private static readonly Duid Second = Duid.CreateLl(1, [2, 0, 0, 0, 0, 2]);
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);
    private static readonly string FirstText = ClientDuid.ToString();
    private static readonly string SecondText = Second.ToString();

    private static string Config(string reserved, bool unique = false, string field = "ip-addresses") => Dhcp6($$"""
        "ip-reservations-unique": {{(unique ? "true" : "false")}},
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
            "pd-pools": [ { "prefix": "2001:db8:f0::", "prefix-len": 48, "delegated-len": 56 } ],
            "reservations": [
                { "duid": "{{FirstText}}", "{{field}}": [ "{{reserved}}" ] },
                { "duid": "{{SecondText}}", "{{field}}": [ "{{reserved}}" ] } ] } ]
        """);

    private static Dhcp6Message Request(Duid client) =>
        Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client);

    [Fact]
    public void TwoHostsReservingOneAddressAreRefusedByDefault()
    {
        LoadFails(Config("2001:db8:1::77", unique: true), "Dhcp6/subnet6[0]/reservations[1]/ip-addresses[0]", "address 2001:db8:1::77 is already reserved by Dhcp6/subnet6[0]/reservations[0]");
        LoadFails(Config("2001:db8:ff::/56", unique: true, field: "prefixes"), "Dhcp6/subnet6[0]/reservations[1]/prefixes[0]", "prefix 2001:db8:ff::/56 is already reserved");
    }

    [Fact]
    public void TwoHostsReservingOneAddressOrPrefixLoadWhenNotUnique()
    {
        var config = LoadOk(Config("2001:db8:1::77"));
        Assert.False(config.IpReservationsUnique);
        Assert.Equal(2, config.Subnets[0].Reservations.Count);
        Assert.Equal(2, LoadOk(Config("2001:db8:ff::/56", field: "prefixes")).Subnets[0].Reservations.Count);

        // Global reservations follow the same rule.
        var global = $$"""
            "reservations": [ { "duid": "{{FirstText}}", "ip-addresses": [ "2001:db8:1::5" ] }, { "duid": "{{SecondText}}", "ip-addresses": [ "2001:db8:1::5" ] } ],
            """;
        LoadFails(Dhcp6(global), "Dhcp6/reservations[1]/ip-addresses[0]", "already reserved");
        Assert.Equal(2, LoadOk(Dhcp6(global + "\"ip-reservations-unique\": false")).GlobalReservations.Count);
    }

    [Fact]
    public void LookupByAddressAnswersEveryReservingHost()
    {
        using var h = new PipelineHarness(LoadOk(Config("2001:db8:1::77")));
        var hosts = h.Runtime.Reservations.FindByAddress(1, Ipv6Address.Parse("2001:db8:1::77"));
        Assert.Equal(2, hosts.Count);
        Assert.Empty(h.Runtime.Reservations.FindByAddress(1, Ipv6Address.Parse("2001:db8:1::78")));
    }

    [Fact]
    public void TheFirstReservingClientGetsTheAddressAndTheSecondGetsAnother()
    {
        using var h = new PipelineHarness(LoadOk(Config("2001:db8:1::77")));
        var reserved = Ipv6Address.Parse("2001:db8:1::77");
        Assert.Equal(reserved, AddressOf(h.Exchange(Request(ClientDuid)).Reply!)!.Address);

        // The second reserving client is not given the address the first holds: it gets one from the pool.
        var second = AddressOf(h.Exchange(Request(Second)).Reply!)!.Address;
        Assert.NotEqual(reserved, second);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), second);
        Assert.Equal(ClientDuid.ToArray(), h.Store.Get(reserved)!.Duid);

        // The first client's lease is not stolen: it renews it.
        var renew = Create(MessageType.Renew, address: reserved, serverId: PipelineHarness.ServerDuid);
        var renewed = AddressOf(h.Exchange(renew).Reply!)!;
        Assert.Equal(reserved, renewed.Address);
        Assert.True(renewed.ValidLifetime > 0);

        // A renewal of the second client keeps its pool address (it is not moved onto the held reservation).
        var secondRenew = Create(MessageType.Renew, address: second, serverId: PipelineHarness.ServerDuid, clientId: Second);
        Assert.Equal(second, AddressOf(h.Exchange(secondRenew).Reply!)!.Address);
        Assert.Equal(ClientDuid.ToArray(), h.Store.Get(reserved)!.Duid);
    }

    [Fact]
    public void AReservedAddressFreedByItsHolderGoesToTheOtherReservingClient()
    {
        using var h = new PipelineHarness(LoadOk(Config("2001:db8:1::77")));
        var reserved = Ipv6Address.Parse("2001:db8:1::77");
        Assert.Equal(reserved, AddressOf(h.Exchange(Request(ClientDuid)).Reply!)!.Address);
        h.Exchange(Create(MessageType.Release, address: reserved, serverId: PipelineHarness.ServerDuid));

        Assert.Equal(reserved, AddressOf(h.Exchange(Request(Second)).Reply!)!.Address);
        Assert.Equal(Second.ToArray(), h.Store.Get(reserved)!.Duid);
    }

    [Fact]
    public void AnInPoolAddressReservedForSeveralHostsIsKeptFromEveryoneElse()
    {
        using var h = new PipelineHarness(LoadOk(Config("2001:db8:1::10")));
        var reserved = Ipv6Address.Parse("2001:db8:1::10");

        // A client with no reservation skips it, even when it asks for it.
        var solicit = Create(MessageType.Solicit, address: reserved, clientId: Stranger);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::11"), AddressOf(h.Exchange(solicit).Reply!)!.Address);

        // The reserving clients: the first gets it, the second another pool address.
        Assert.Equal(reserved, AddressOf(h.Exchange(Request(Second)).Reply!)!.Address);
        var first = AddressOf(h.Exchange(Request(ClientDuid)).Reply!)!.Address;
        Assert.NotEqual(reserved, first);
        Assert.Equal(Second.ToArray(), h.Store.Get(reserved)!.Duid);
    }
}
