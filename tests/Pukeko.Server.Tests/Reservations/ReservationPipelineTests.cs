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
}
