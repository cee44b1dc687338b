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
}
