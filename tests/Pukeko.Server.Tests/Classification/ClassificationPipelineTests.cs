using System.Text;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Classification;

/// <summary>Classes evaluated in the pipeline: gating pools and subnets, selecting options and lifetimes, DROP.</summary>
public sealed class ClassificationPipelineTests
{
    private static PipelineHarness Harness(string body) => new(LoadOk(Dhcp6(body)));

    private static Dhcp6Message WithVendorClass(Dhcp6Message message, uint enterprise, string data)
    {
        message.Options.Add(new VendorClassOption(enterprise, [Encoding.ASCII.GetBytes(data)]));
        return message;
    }

    private const string TwoPools = """
        "client-classes": [ { "name": "modems", "test": "substring(option[1].hex, 0, 2) == 0x0001" } ],
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff", "client-classes": [ "modems" ] },
                       { "pool": "2001:db8:1::200-2001:db8:1::2ff" } ] } ]
        """;

    [Fact]
    public void ClassGatedPoolServesOnlyItsClass()
    {
        using var h = Harness(TwoPools);

        // ClientDuid is a DUID-LLT (type 1): in class "modems", so it may use the first pool.
        var modem = AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::100"), modem);

        var other = Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]));
        var address = AddressOf(h.Exchange(other).Reply!)!.Address;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::200"), address);
    }

    [Fact]
    public void HintInAPoolOfAnotherClassIsNotHonoured()
    {
        using var h = Harness(TwoPools);
        var other = Create(MessageType.Solicit, address: Ipv6Address.Parse("2001:db8:1::150"), clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::200"), AddressOf(h.Exchange(other).Reply!)!.Address);
    }

    [Fact]
    public void ClassGatedSubnetIsSkipped()
    {
        using var h = Harness("""
            "client-classes": [ { "name": "lab", "test": "pkt.iface == 'lab0'" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "client-classes": [ "lab" ],
                           "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        var ia = Ia(h.Exchange(Create(MessageType.Solicit)).Reply!);
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(ia.Options));

        h.InterfaceName = "lab0";
        using var lab = Harness("""
            "client-classes": [ { "name": "lab", "test": "pkt.iface == 'lab0'" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lab0", "client-class": "lab",
                           "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        lab.InterfaceName = "lab0";
        Assert.NotNull(AddressOf(lab.Exchange(Create(MessageType.Solicit)).Reply!));
    }

    [Fact]
    public void VendorClassBuiltInClassSelectsOptions()
    {
        using var h = Harness("""
            "client-classes": [ { "name": "VENDOR_CLASS_docsis3.0", "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        var plain = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;
        Assert.False(plain.Options.Contains(OptionCode.DnsServers));

        var vendor = h.Exchange(WithVendorClass(Create(MessageType.Solicit, oro: OptionCode.DnsServers), 4491, "docsis3.0")).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8::53"), Ipv6Address.Read(vendor.Options.Get(OptionCode.DnsServers)!.GetData()));
    }

    [Fact]
    public void DropClassDiscardsThePacketAsAdminFiltered()
    {
        using var h = Harness("""
            "client-classes": [ { "name": "DROP", "test": "vendor-class[4491].exists" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        Assert.Null(h.Exchange(WithVendorClass(Create(MessageType.Solicit), 4491, "x")).Reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-admin-filtered"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
        Assert.NotNull(h.Exchange(Create(MessageType.Solicit)).Reply);
    }

    [Fact]
    public void FirstClassDefiningALifetimeWins()
    {
        using var h = Harness("""
            "client-classes": [
                { "name": "short", "test": "option[1].exists", "valid-lifetime": 600, "preferred-lifetime": 300 },
                { "name": "long", "test": "option[1].exists", "valid-lifetime": 9000 } ],
            "valid-lifetime": 4000, "preferred-lifetime": 3000,
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        var address = AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!;
        Assert.Equal(600u, address.ValidLifetime);
        Assert.Equal(300u, address.PreferredLifetime);
    }

    [Fact]
    public void KnownDependentClassIsEvaluatedAfterTheHostLookup()
    {
        using var h = Harness("""
            "client-classes": [
                { "name": "early", "test": "option[1].exists", "option-data": [ { "name": "preference", "data": "1" } ] },
                { "name": "registered", "test": "member('early') and known", "option-data": [ { "name": "preference", "data": "99" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ],
                "reservations": [ { "duid": "00:01:00:01:29:b9:27:00:00:01:02:03:04:05" } ] } ]
            """);
        var config = h.Config;
        Assert.False(config.ClientClasses[0].DependsOnKnown);
        Assert.True(config.ClientClasses[1].DependsOnKnown);

        // The reserved client is KNOWN; "registered" comes after "early" in packet order, so "early" provides it.
        var known = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([1], known.Options.Get(OptionCode.Preference)!.GetData());

        var unknown = h.Exchange(Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]), oro: OptionCode.Preference)).Reply!;
        Assert.Equal([1], unknown.Options.Get(OptionCode.Preference)!.GetData());
    }

    [Fact]
    public void ReservedClassesAndKnownAreAddedToThePacket()
    {
        using var h = Harness("""
            "client-classes": [
                { "name": "unknown-clients", "test": "unknown", "option-data": [ { "name": "preference", "data": "7" } ] },
                { "name": "vip", "option-data": [ { "name": "preference", "data": "200" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ],
                "reservations": [ { "hw-address": "00:01:02:03:04:05", "client-classes": [ "vip" ] } ] } ]
            """);
        var vip = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([200], vip.Options.Get(OptionCode.Preference)!.GetData());

        var stranger = h.Exchange(Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]), oro: OptionCode.Preference)).Reply!;
        Assert.Equal([7], stranger.Options.Get(OptionCode.Preference)!.GetData());
    }

    [Fact]
    public void AdditionalClassIsEvaluatedOnlyForItsPool()
    {
        using var h = Harness("""
            "client-classes": [ { "name": "late", "only-if-required": true, "test": "option[1].exists",
                                  "option-data": [ { "name": "preference", "data": "42" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::/120", "require-client-classes": [ "late" ] } ] } ]
            """);
        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([42], reply.Options.Get(OptionCode.Preference)!.GetData());

        // Information-Request has no pool, so the class is never evaluated.
        var info = h.Exchange(Create(MessageType.InformationRequest, oro: OptionCode.Preference)).Reply!;
        Assert.False(info.Options.Contains(OptionCode.Preference));
    }

    [Fact]
    public void TemplateClassSpawnsAClassNamedAfterItsValue()
    {
        using var h = Harness("""
            "client-classes": [
                { "name": "by-iface", "template-test": "pkt.iface" },
                { "name": "SPAWN_by-iface_eth0", "option-data": [ { "name": "preference", "data": "5" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """);
        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([5], reply.Options.Get(OptionCode.Preference)!.GetData());
    }

    // The spawned classes below are not defined anywhere: a guard names the class a template gives the packet.
    private const string DuidTypeTemplate = """
        { "name": "duid-type", "template-test": "hexstring(substring(option[1].hex, 0, 2), '')" }
        """;

    [Fact]
    public void SpawnedClassGuardsAPool()
    {
        using var h = Harness($$"""
            "client-classes": [ {{DuidTypeTemplate}} ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff", "client-classes": [ "SPAWN_duid-type_0001" ] },
                           { "pool": "2001:db8:1::200-2001:db8:1::2ff", "client-classes": [ "SPAWN_duid-type_0003" ] } ] } ]
            """);

        // ClientDuid is a DUID-LLT (type 1); the other client's is a DUID-LL (type 3).
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::100"), AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address);
        var ll = Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]));
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::200"), AddressOf(h.Exchange(ll).Reply!)!.Address);

        // A DUID-EN (type 2) spawns SPAWN_duid-type_0002, which no pool admits.
        var en = Create(MessageType.Solicit, clientId: Duid.CreateEn(9, [1, 2, 3, 4]));
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(h.Exchange(en).Reply!).Options));
    }

    [Fact]
    public void SpawnedClassSelectsTheSubnetOfASharedNetwork()
    {
        using var h = Harness($$"""
            "client-classes": [ {{DuidTypeTemplate}} ],
            "shared-networks": [ { "name": "by-duid", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "client-classes": [ "SPAWN_duid-type_0003" ],
                  "pools": [ { "pool": "2001:db8:1::/120" } ] },
                { "id": 2, "subnet": "2001:db8:2::/64", "client-classes": [ "SPAWN_duid-type_0001" ],
                  "pools": [ { "pool": "2001:db8:2::/120" } ] } ] } ]
            """);

        var llt = AddressOf(h.Exchange(Create(MessageType.Solicit)).Reply!)!.Address;
        Assert.True(Ipv6Prefix.Parse("2001:db8:2::/64").Contains(llt), llt.ToString());
        var ll = AddressOf(h.Exchange(Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]))).Reply!)!.Address;
        Assert.True(Ipv6Prefix.Parse("2001:db8:1::/64").Contains(ll), ll.ToString());
    }
}
