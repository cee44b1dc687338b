using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>
/// <c>early-global-reservations-lookup</c> (Kea's earlyGHRLookup): the global reservation is found before subnet
/// selection, so the classes it assigns (and KNOWN) choose class-guarded subnets, shared-network members and pools;
/// the host found then is the global reservation used afterwards.
/// </summary>
public sealed class EarlyGlobalReservationsLookupTests
{
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);

    private const string GoldClass = """{ "name": "gold" }""";

    // ClientDuid's hardware address (00:01:02:03:04:05) has a global reservation assigning class "gold"; subnet 1 is
    // guarded by class <paramref name="guard"/>.
    private static string Config(bool early, string globalReservation = """{ "hw-address": "00:01:02:03:04:05", "client-classes": [ "gold" ] }""",
        string extra = "", string classes = GoldClass, string guard = "gold") => Dhcp6($$"""
        "early-global-reservations-lookup": {{(early ? "true" : "false")}},
        {{extra}}
        "client-classes": [ {{classes}} ],
        "reservations": [ {{globalReservation}} ],
        "subnet6": [
            { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "client-classes": [ "{{guard}}" ],
              "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] },
            { "id": 2, "subnet": "2001:db8:2::/64", "interface": "eth0",
              "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] } ]
        """);

    private static Ipv6Address? Solicit(PipelineHarness h, Duid? client = null) =>
        AddressOf(h.Exchange(Create(MessageType.Solicit, clientId: client)).Reply!)?.Address;

    [Fact]
    public void TheReservedClassChoosesTheClassGuardedSubnet()
    {
        using var early = new PipelineHarness(LoadOk(Config(early: true)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Solicit(early));
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::10"), Solicit(early, Stranger));

        // Looked up after subnet selection, the class comes too late to choose the subnet (Kea's default).
        using var late = new PipelineHarness(LoadOk(Config(early: false)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::10"), Solicit(late));
    }

    [Fact]
    public void KnownChoosesASubnetGuardedByAClassDependingOnIt()
    {
        var classes = GoldClass + """, { "name": "known-only", "test": "member('KNOWN')" }""";
        using var h = new PipelineHarness(LoadOk(Config(early: true, """{ "hw-address": "00:01:02:03:04:05" }""", classes: classes, guard: "known-only")));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Solicit(h));
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::10"), Solicit(h, Stranger));
    }

    [Fact]
    public void TheReservedClassChoosesTheSharedNetworkMemberAndPool()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "early-global-reservations-lookup": true,
            "client-classes": [ { "name": "gold" } ],
            "reservations": [ { "hw-address": "00:01:02:03:04:05", "client-classes": [ "gold" ] } ],
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "client-classes": [ "gold" ],
                  "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] },
                { "id": 2, "subnet": "2001:db8:2::/64",
                  "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f", "client-classes": [ "gold" ] },
                             { "pool": "2001:db8:2::20-2001:db8:2::2f" } ] } ] } ]
            """)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Solicit(h));
        Assert.Equal(Ipv6Address.Parse("2001:db8:2::20"), Solicit(h, Stranger));
    }

    [Fact]
    public void TheEarlyHostIsTheGlobalReservationUsedWhereGlobalReservationsApply()
    {
        var reservation = """{ "hw-address": "00:01:02:03:04:05", "client-classes": [ "gold" ], "ip-addresses": [ "2001:db8:1::55" ] }""";
        using var on = new PipelineHarness(LoadOk(Config(early: true, reservation, """ "reservations-global": true, """)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::55"), Solicit(on));

        // Without reservations-global the early host only classifies; its address is not given (Kea's globalHost()).
        using var off = new PipelineHarness(LoadOk(Config(early: true, reservation)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Solicit(off));
    }

    [Fact]
    public void AClientWithAnEarlyGlobalReservationIsKnownNotUnknown()
    {
        // The first pool is for UNKNOWN clients: the reserved client, KNOWN from the early lookup, cannot use it even
        // though its subnet does not use global reservations (Kea keeps the early host among the client's hosts).
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "early-global-reservations-lookup": true,
            "reservations-global": false,
            "client-classes": [ { "name": "nobody", "test": "member('UNKNOWN')" } ],
            "reservations": [ { "hw-address": "00:01:02:03:04:05" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f", "client-classes": [ "nobody" ] },
                           { "pool": "2001:db8:1::20-2001:db8:1::2f" } ] } ]
            """)));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::10"), Solicit(h, Stranger));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::20"), Solicit(h));
    }

    [Fact]
    public void AReservedDropClassDropsThePacketBeforeSubnetSelection()
    {
        using var h = new PipelineHarness(LoadOk(Config(early: true, """{ "hw-address": "00:01:02:03:04:05", "client-classes": [ "DROP" ] }""")));
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Reply);
        Assert.Equal(1, h.Packets.AdminFiltered.Value);
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit, clientId: Stranger)).Reply);
    }
}
