using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Options;

/// <summary>Kea's option precedence (digest §3.5): reservation, pool, subnet, shared network, class, global.</summary>
public sealed class OptionPrecedenceTests
{
    private const string ClientDuidText = "00:01:00:01:29:b9:27:00:00:01:02:03:04:05";

    private static string Preference(int value) => $$"""[ { "name": "preference", "data": "{{value}}" } ]""";

    /// <summary>Every level defines preference with its own value; removing levels one by one shows the order.</summary>
    [Theory]
    [InlineData("reservation,pool,subnet,class,global", 1)]
    [InlineData("pool,subnet,class,global", 2)]
    [InlineData("subnet,class,global", 3)]
    [InlineData("class,global", 5)]
    [InlineData("global", 6)]
    [InlineData("", -1)]
    public void FirstLevelInKeaOrderWins(string levels, int expected)
    {
        bool Has(string level) => levels.Split(',').Contains(level);
        var config = LoadOk(Dhcp6($$"""
            {{(Has("global") ? $"\"option-data\": {Preference(6)}," : "")}}
            "client-classes": [ { "name": "all-clients", "test": "option[1].exists" {{(Has("class") ? $", \"option-data\": {Preference(5)}" : "")}} } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                {{(Has("subnet") ? $"\"option-data\": {Preference(3)}," : "")}}
                "pools": [ { "pool": "2001:db8:1::/120" {{(Has("pool") ? $", \"option-data\": {Preference(2)}" : "")}} } ],
                "reservations": [ { "duid": "{{ClientDuidText}}" {{(Has("reservation") ? $", \"option-data\": {Preference(1)}" : "")}} } ] } ]
            """));
        using var h = new PipelineHarness(config);
        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        var option = reply.Options.Get(OptionCode.Preference);
        if (expected < 0)
        {
            Assert.Null(option);
        }
        else
        {
            Assert.Equal([(byte)expected], option!.GetData());
        }
    }

    /// <summary>The same inside a shared network, whose option-data sits between the subnet's and the classes'.</summary>
    [Theory]
    [InlineData("subnet,network,class,global", 3)]
    [InlineData("network,class,global", 4)]
    [InlineData("class,global", 5)]
    [InlineData("network", 4)]
    public void SharedNetworkOptionsComeAfterTheSubnetsAndBeforeTheClasses(string levels, int expected)
    {
        bool Has(string level) => levels.Split(',').Contains(level);
        var config = LoadOk(Dhcp6($$"""
            {{(Has("global") ? $"\"option-data\": {Preference(6)}," : "")}}
            "client-classes": [ { "name": "all-clients", "test": "option[1].exists" {{(Has("class") ? $", \"option-data\": {Preference(5)}" : "")}} } ],
            "shared-networks": [ { "name": "net", "interface": "eth0",
                {{(Has("network") ? $"\"option-data\": {Preference(4)}," : "")}}
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
                    {{(Has("subnet") ? $"\"option-data\": {Preference(3)}," : "")}}
                    "pools": [ { "pool": "2001:db8:1::/120" } ] } ] } ]
            """));
        using var h = new PipelineHarness(config);
        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([(byte)expected], reply.Options.Get(OptionCode.Preference)!.GetData());
    }

    [Fact]
    public void ClassesContributeInPacketOrder()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "client-classes": [
                { "name": "first", "test": "option[1].exists", "option-data": [ { "name": "preference", "data": "10" } ] },
                { "name": "second", "test": "option[1].exists", "option-data": [ { "name": "preference", "data": "20" }, { "name": "dns-servers", "data": "2001:db8::2" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var reply = h.Exchange(Create(MessageType.Solicit, oro: [OptionCode.Preference, OptionCode.DnsServers])).Reply!;
        Assert.Equal([10], reply.Options.Get(OptionCode.Preference)!.GetData());
        Assert.Equal(Ipv6Address.Parse("2001:db8::2"), Ipv6Address.Read(reply.Options.Get(OptionCode.DnsServers)!.GetData()));
    }

    [Fact]
    public void OptionDataClientClassesRestrictAnOptionAndLowerLevelsStillApply()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "client-classes": [ { "name": "gold", "test": "substring(option[1].hex, 0, 2) == 0x0001" } ],
            "option-data": [ { "name": "preference", "data": "1" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ],
                "option-data": [ { "name": "preference", "data": "255", "client-classes": [ "gold" ] } ] } ]
            """)));
        var gold = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Equal([255], gold.Options.Get(OptionCode.Preference)!.GetData());

        var other = h.Exchange(Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]), oro: OptionCode.Preference)).Reply!;
        Assert.Equal([1], other.Options.Get(OptionCode.Preference)!.GetData());
    }

    [Fact]
    public void AlwaysSendAndNeverSendAtDifferentLevels()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-data": [ { "name": "preference", "data": "9", "always-send": true }, { "name": "dns-servers", "data": "2001:db8::53" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ],
                "option-data": [ { "name": "dns-servers", "data": "2001:db8::1", "never-send": true } ] } ]
            """)));
        var reply = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.DnsServers)).Reply!;
        Assert.Equal([9], reply.Options.Get(OptionCode.Preference)!.GetData());
        Assert.False(reply.Options.Contains(OptionCode.DnsServers));
    }

    [Fact]
    public void NtpServerWithSeveralSubOptionsIsSentAsOneOptionPerSubOption()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-data": [
                { "name": "ntp-server", "always-send": true },
                { "space": "v6-ntp-server-suboptions", "name": "ntp-server-address", "data": "2001:db8:abcd::123" },
                { "space": "v6-ntp-server-suboptions", "name": "ntp-server-multicast", "data": "2001:db8:abcd::456" },
                { "space": "v6-ntp-server-suboptions", "name": "ntp-server-fqdn", "data": "ntp.example.com" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        var ntp = reply.Options.GetAll(OptionCode.NtpServer).Cast<NtpServerOption>().ToList();
        Assert.Equal(3, ntp.Count);
        Assert.Equal(Ipv6Address.Parse("2001:db8:abcd::123"), Assert.IsType<AddressOption>(Assert.Single(ntp[0].Options)).Address);
        Assert.Equal(NtpSuboptionCode.MulticastAddress, Assert.Single(ntp[1].Options).Code);
        Assert.Equal("ntp.example.com", Assert.IsType<DomainNameOption>(Assert.Single(ntp[2].Options)).Name);
    }

    [Fact]
    public void CustomEncapsulatedSpaceCarriesItsSubOptions()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-def": [
                { "name": "container", "code": 222, "type": "empty", "encapsulate": "my-space" },
                { "name": "leaf", "code": 1, "space": "my-space", "type": "record", "record-types": "uint8, string" } ],
            "option-data": [ { "name": "container", "always-send": true }, { "name": "leaf", "space": "my-space", "data": "7, hi" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var reply = h.Exchange(Create(MessageType.Solicit)).Reply!;
        Assert.Equal(new byte[] { 0, 1, 0, 3, 7, (byte)'h', (byte)'i' }, reply.Options.Get(222)!.GetData());
    }

    [Fact]
    public void CableLabsVendorOroSelectsVendorSubOptions()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-data": [
                { "space": "vendor-4491", "name": "tftp-servers", "data": "2001:558::76" },
                { "space": "vendor-4491", "name": "config-file", "data": "normal_erouter_v6.cm" },
                { "space": "vendor-4491", "name": "time-offset", "data": "-10000" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var solicit = Create(MessageType.Solicit);
        var vendor = new VendorOptsOption(4491);
        vendor.Options.Add(new RawOption(1, [0, 32, 0, 38]));
        solicit.Options.Add(vendor);
        var reply = h.Exchange(solicit).Reply!;
        var answer = Assert.IsType<VendorOptsOption>(reply.Options.Get(OptionCode.VendorOpts));
        Assert.Equal(4491u, answer.EnterpriseNumber);
        Assert.Equal([32, 38], answer.Options.Select(o => (int)o.Code));
        Assert.Equal(new byte[] { 0xff, 0xff, 0xd8, 0xf0 }, answer.Options.Get(38)!.GetData());

        // Without a vendor option or vendor class from the client there is nothing to answer.
        Assert.False(h.Exchange(Create(MessageType.Solicit)).Reply!.Options.Contains(OptionCode.VendorOpts));
    }

    [Fact]
    public void Docsis3V6OptionsAreAcceptedButNotSentAsVendorOptionsAsInKea()
    {
        // Kea's all-options.json configures CableLabs options in "docsis3-v6"; Kea resolves their names there but
        // builds option 17 only from vendor-4491, so a client asking for them still gets nothing from that space.
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-data": [
                { "space": "docsis3-v6", "name": "config-file", "data": "from-docsis-space.cm" },
                { "space": "vendor-4491", "name": "tftp-servers", "data": "2001:558::76" } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var solicit = Create(MessageType.Solicit);
        var vendor = new VendorOptsOption(4491);
        vendor.Options.Add(new RawOption(1, [0, 32, 0, 33]));
        solicit.Options.Add(vendor);
        var answer = Assert.IsType<VendorOptsOption>(h.Exchange(solicit).Reply!.Options.Get(OptionCode.VendorOpts));
        Assert.Equal([32], answer.Options.Select(o => (int)o.Code));
    }

    [Fact]
    public void AlwaysSendVendorOptionsGoToEachVendorTheClientNamesInOrder()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "option-def": [ { "name": "flag", "code": 123, "space": "vendor-1234", "type": "boolean" },
                            { "name": "text", "code": 124, "space": "vendor-5678", "type": "string" } ],
            "option-data": [ { "space": "vendor-1234", "code": 123, "data": "1", "always-send": true },
                             { "space": "vendor-5678", "code": 124, "data": "text", "always-send": true } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
            """)));
        var solicit = Create(MessageType.Solicit);
        solicit.Options.Add(new VendorClassOption(5678, [[1]]));
        solicit.Options.Add(new VendorClassOption(1234, [[1]]));
        solicit.Options.Add(new VendorClassOption(4444, [[1]]));
        var vendors = h.Exchange(solicit).Reply!.Options.GetAll(OptionCode.VendorOpts).Cast<VendorOptsOption>().ToList();
        Assert.Equal([1234u, 5678u], vendors.Select(v => v.EnterpriseNumber));
        Assert.Equal([1], vendors[0].Options.Get(123)!.GetData());
        Assert.Equal("text"u8.ToArray(), vendors[1].Options.Get(124)!.GetData());
    }
}
