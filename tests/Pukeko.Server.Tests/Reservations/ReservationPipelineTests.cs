using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Reservations;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>Host reservations through the whole pipeline (digest §3.7 cases 1–3).</summary>
public sealed class ReservationPipelineTests
{
    private const string ClientDuidText = "00:01:00:01:29:b9:27:00:00:01:02:03:04:05";
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);

    private static PipelineHarness Harness(string reservations, string extra = "") => new(LoadOk(Dhcp6($$"""
        {{extra}}
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
            "reservations": {{reservations}} } ]
        """)));

    private static Dhcp6Message Request(Ipv6Address? address = null, Duid? client = null) =>
        Create(MessageType.Request, address: address, serverId: PipelineHarness.ServerDuid, clientId: client);

    [Fact]
    public void DuidReservationGetsItsOutOfPoolAddressHostnameAndOptions()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::abcd" ], "hostname": "printer", "option-data": [ { "name": "dns-servers", "data": "2001:db8::99" } ] } ]""",
            """ "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ], """);
        var reply = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, oro: OptionCode.DnsServers)).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::abcd"), AddressOf(reply)!.Address);
        Assert.Equal(Ipv6Address.Parse("2001:db8::99"), Ipv6Address.Read(reply.Options.Get(OptionCode.DnsServers)!.GetData()));
        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:1::abcd"))!;
        Assert.Equal("printer", lease.Hostname);

        // Out-of-pool reserved leases count for the subnet but not for any pool.
        Assert.Equal(1, h.Statistics.Value("subnet[1].assigned-nas"));
        Assert.Equal(0, h.Statistics.Value("subnet[1].pool[0].assigned-nas"));
    }

    [Fact]
    public void HardwareAddressFromTheDuidFindsTheReservation()
    {
        using var h = Harness("""[ { "hw-address": "00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::77" ] } ]""");
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::77"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
    }

    [Fact]
    public void IdentifierOrderFollowsHostReservationIdentifiers()
    {
        var both = $$"""[ { "hw-address": "00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::77" ] }, { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::88" ] } ]""";
        using var hwFirst = Harness(both);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::77"), AddressOf(hwFirst.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);

        using var duidFirst = Harness(both, """ "host-reservation-identifiers": [ "duid", "hw-address" ], """);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::88"), AddressOf(duidFirst.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
    }

    [Fact]
    public void ReservedAddressIsNotGivenToOthers()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::10" ] } ]""");
        var stranger = h.Exchange(Request(Ipv6Address.Parse("2001:db8:1::10"), Stranger)).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::11"), AddressOf(stranger)!.Address);
    }

    [Fact]
    public void LeaseNowReservedForAnotherClientIsReplaced()
    {
        // Case 2: the stranger holds ::10, then a reservation for someone else appears on reconfiguration.
        var reserved = $$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::10" ] } ]""";
        using var before = Harness("[]");
        before.Exchange(Request(null, Stranger));
        Assert.NotNull(before.Store.Get(Ipv6Address.Parse("2001:db8:1::10")));
        using var after = Harness(reserved);
        foreach (var lease in before.Store.GetAll())
        {
            after.Store.Add(lease);
        }

        var reply = after.Exchange(Request(null, Stranger)).Reply!;
        Assert.NotEqual(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(reply)!.Address);
        Assert.Null(after.Store.Get(Ipv6Address.Parse("2001:db8:1::10")));
    }

    [Fact]
    public void ReservedAddressReplacesTheClientsDynamicLease()
    {
        // Case 3: the client had a dynamic lease; once it has a reservation it moves to the reserved address.
        using var before = Harness("[]");
        before.Exchange(Request());
        using var after = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::99" ] } ]""");
        foreach (var lease in before.Store.GetAll())
        {
            after.Store.Add(lease);
        }

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::99"), AddressOf(after.Exchange(Request()).Reply!)!.Address);
        Assert.Null(after.Store.Get(Ipv6Address.Parse("2001:db8:1::10")));
    }

    [Fact]
    public void GlobalReservationsApplyOnlyWhenEnabled()
    {
        var global = """ "reservations": [ { "hw-address": "00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::55" ] } ], """;
        using var off = Harness("[]", global);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(off.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);

        using var on = Harness("[]", global + """ "reservations-global": true, """);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::55"), AddressOf(on.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
    }

    [Fact]
    public void ReservationsInSubnetOffIgnoresSubnetReservations()
    {
        using var h = Harness("""[ { "hw-address": "00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::77" ] } ]""",
            """ "reservation-mode": "disabled", """);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
    }

    [Fact]
    public void FlexIdComesFromTheHostIdentifierSeam()
    {
        using var h = Harness("""[ { "flex-id": "'lab-42'", "ip-addresses": [ "2001:db8:1::42" ] } ]""",
            """ "host-reservation-identifiers": [ "flex-id" ], """);
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);

        h.Processor.HostIdentifiers.FlexId = ctx => "lab-42"u8.ToArray();
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::42"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
    }

    [Fact]
    public void FlexIdFromAHost6IdentifierCalloutSelectsTheReservation()
    {
        using var h = Harness("""[ { "flex-id": "'foo'", "ip-addresses": [ "2001:db8:1::f00" ] } ]""",
            """ "host-reservation-identifiers": [ "flex-id" ], """);
        var calls = 0;
        Pukeko.Server.Tests.Hooks.HookTestSupport.On(h, Pukeko.Hooks.HookNames.Host6Identifier, handle =>
        {
            calls++;
            handle.SetArgument("id_value", "foo"u8.ToArray());
            return 0;
        });

        Assert.Equal(Ipv6Address.Parse("2001:db8:1::f00"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void PrefixesAreKeptForPrefixDelegation()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "prefixes": [ "2001:db8:ff::/56" ] } ]""");
        var host = Assert.Single(h.Config.Subnets[0].Reservations);
        Assert.Equal(Ipv6Prefix.Parse("2001:db8:ff::/56"), Assert.Single(host.Prefixes));
        Assert.Same(host, Assert.Single(h.Runtime.Reservations.FindByPrefix(1, Ipv6Prefix.Parse("2001:db8:ff::/56"))));
        Assert.Equal(HostIdentifierType.Duid, host.IdentifierType);
    }

    [Fact]
    public void RenewOfAReservedOutOfPoolLeaseKeepsIt()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::abcd" ] } ]""");
        h.Exchange(Request());
        var renew = h.Exchange(Create(MessageType.Renew, address: Ipv6Address.Parse("2001:db8:1::abcd"), serverId: PipelineHarness.ServerDuid)).Reply!;
        var address = AddressOf(renew)!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::abcd"), address.Address);
        Assert.NotEqual(0u, address.ValidLifetime);
    }

    private static readonly Ipv6Address Reserved = Ipv6Address.Parse("2001:db8:1::abcd");

    private static IaNaOption IaOf(Dhcp6Message reply) => reply.Options.OfType<IaNaOption>().Single();

    private static Pukeko.Server.Leases.Lease6 Lease(PipelineHarness h, Ipv6Address address, Duid client) => new()
    {
        Address = address, Duid = client.ToArray(), Iaid = 1, ValidLifetime = 4000, PreferredLifetime = 3000,
        Cltt = h.Time.GetUtcNow().ToUnixTimeSeconds(), SubnetId = 1,
    };

    [Theory]
    [InlineData(MessageType.Renew)]
    [InlineData(MessageType.Rebind)]
    public void A_reservation_freed_since_the_client_got_a_pool_address_is_given_on_its_next_renewal_and_the_pool_address_is_given_up(MessageType type)
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::abcd" ] } ]""");
        Assert.True(h.Store.Add(Lease(h, Reserved, Stranger)));
        var pooled = AddressOf(h.Exchange(Request()).Reply!)!.Address;
        Assert.NotEqual(Reserved, pooled);
        Assert.True(h.Store.Remove(h.Store.Get(Reserved)!));

        var query = Create(type, address: pooled, serverId: type == MessageType.Renew ? PipelineHarness.ServerDuid : null);
        var ia = IaOf(h.Exchange(query).Reply!);
        var addresses = ia.Options.OfType<IaAddressOption>().ToDictionary(a => a.Address);
        Assert.Equal(2, addresses.Count);
        Assert.NotEqual(0u, addresses[Reserved].ValidLifetime);
        Assert.Equal((0u, 0u), (addresses[pooled].PreferredLifetime, addresses[pooled].ValidLifetime));
        Assert.Equal(ClientDuid.ToArray(), h.Store.Get(Reserved)!.Duid);
        Assert.Null(h.Store.Get(pooled));
        Assert.Equal(1, h.Statistics.Value("subnet[1].assigned-nas"));
    }

    [Fact]
    public void A_reservation_still_held_by_another_client_leaves_the_pool_address_renewed()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::abcd" ] } ]""");
        Assert.True(h.Store.Add(Lease(h, Reserved, Stranger)));
        var pooled = AddressOf(h.Exchange(Request()).Reply!)!.Address;

        var ia = IaOf(h.Exchange(Create(MessageType.Renew, address: pooled, serverId: PipelineHarness.ServerDuid)).Reply!);
        var only = Assert.Single(ia.Options.OfType<IaAddressOption>());
        Assert.Equal(pooled, only.Address);
        Assert.NotEqual(0u, only.ValidLifetime);
        Assert.Equal(Stranger.ToArray(), h.Store.Get(Reserved)!.Duid);
    }

    [Fact]
    public void A_client_holding_its_reservation_and_a_pool_address_in_one_ia_keeps_only_the_reservation_on_renewal()
    {
        using var h = Harness($$"""[ { "duid": "{{ClientDuidText}}", "ip-addresses": [ "2001:db8:1::abcd" ] } ]""");
        var pooled = Ipv6Address.Parse("2001:db8:1::12");
        Assert.True(h.Store.Add(Lease(h, pooled, ClientDuid)));
        Assert.True(h.Store.Add(Lease(h, Reserved, ClientDuid)));

        var ia = IaOf(h.Exchange(Create(MessageType.Renew, address: Reserved, serverId: PipelineHarness.ServerDuid)).Reply!);
        var addresses = ia.Options.OfType<IaAddressOption>().ToDictionary(a => a.Address);
        Assert.NotEqual(0u, addresses[Reserved].ValidLifetime);
        Assert.Equal(0u, addresses[pooled].ValidLifetime);
        Assert.Null(h.Store.Get(pooled));
    }
}
