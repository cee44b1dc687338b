using Pukeko.Protocol.Options;
using Pukeko.Protocol.Options.Definitions;

namespace Pukeko.Protocol.Tests.Options.Definitions;

public class StandardOptionDefinitionsTests
{
    [Theory]
    [InlineData("dns-servers", OptionCode.DnsServers, OptionDataType.Ipv6Address, true)]
    [InlineData("domain-search", OptionCode.DomainSearch, OptionDataType.Fqdn, true)]
    [InlineData("preference", OptionCode.Preference, OptionDataType.Uint8, false)]
    [InlineData("sntp-servers", OptionCode.SntpServers, OptionDataType.Ipv6Address, true)]
    [InlineData("bootfile-url", OptionCode.BootfileUrl, OptionDataType.String, false)]
    [InlineData("solmax-rt", OptionCode.SolMaxRt, OptionDataType.Uint32, false)]
    [InlineData("relay-source-port", OptionCode.RelaySourcePort, OptionDataType.Uint16, false)]
    [InlineData("ntp-server", OptionCode.NtpServer, OptionDataType.Empty, false)]
    public void KnownNamesResolveToKeaCodeAndType(string name, ushort code, OptionDataType type, bool isArray)
    {
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, name, out var definition));
        Assert.Equal(code, definition.Code);
        Assert.Equal(type, definition.Type);
        Assert.Equal(isArray, definition.IsArray);
        Assert.True(StandardOptionDefinitions.TryGetByCode(StandardOptionDefinitions.Dhcp6Space, code, out var byCode));
        Assert.Same(definition, byCode);
    }

    [Fact]
    public void UnknownNameIsNotFound()
    {
        Assert.False(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, "no-such-option", out var definition));
        Assert.Null(definition);
    }

    [Fact]
    public void SameNameInAnotherSpaceIsNotMixedUp()
    {
        Assert.False(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, "ntp-server-address", out _));
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.NtpServerSpace, "ntp-server-address", out var definition));
        Assert.Equal(1, definition.Code);
    }

    [Fact]
    public void ServerBuiltOptionsAreNotConfigurable()
    {
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, "ia-na", out var iaNa));
        Assert.True(StandardOptionDefinitions.TryGetByName(StandardOptionDefinitions.Dhcp6Space, "dns-servers", out var dns));

        Assert.False(iaNa.IsConfigurable);
        Assert.True(dns.IsConfigurable);
    }

    [Fact]
    public void NamesAndCodesAreUniquePerSpace()
    {
        var all = StandardOptionDefinitions.All;

        Assert.Equal(all.Count, all.Select(d => (d.Space, d.Name)).Distinct().Count());
        Assert.Equal(all.Count, all.Select(d => (d.Space, d.Code)).Distinct().Count());
    }

    [Fact]
    public void EveryRecordDefinitionHasFieldsAndEveryEncapsulatedSpaceExists()
    {
        var spaces = StandardOptionDefinitions.All.Select(d => d.Space).ToHashSet();
        foreach (var definition in StandardOptionDefinitions.All)
        {
            Assert.Equal(definition.Type == OptionDataType.Record, definition.RecordFields is { Count: > 0 });
            if (definition.Encapsulates is { } space && space != "rsoo-opts")
            {
                Assert.Contains(space, spaces);
            }
        }
    }

    [Theory]
    [InlineData("ipv6-address", OptionDataType.Ipv6Address)]
    [InlineData("uint16", OptionDataType.Uint16)]
    [InlineData("fqdn", OptionDataType.Fqdn)]
    public void KeaTypeNamesRoundTrip(string name, OptionDataType type)
    {
        Assert.True(OptionDataTypeNames.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Equal(name, OptionDataTypeNames.ToKeaName(type));
        Assert.False(OptionDataTypeNames.TryParse("ipv7-address", out _));
    }
}
