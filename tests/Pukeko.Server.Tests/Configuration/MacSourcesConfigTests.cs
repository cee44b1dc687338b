using Pukeko.Server.Allocation;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

public sealed class MacSourcesConfigTests
{
    [Fact]
    public void DefaultIsAny() => Assert.Equal([HardwareAddressFinder.SourceAny], LoadOk(Dhcp6("")).MacSources);

    [Fact]
    public void NamesAndRfcAliasesMapToKeasSourceBits()
    {
        var config = LoadOk(Dhcp6("""
            "mac-sources": [ "rfc6939", "rfc4649", "rfc4580", "duid", "ipv6-link-local", "docsis-cmts", "docsis-modem", "raw" ]
            """));
        Assert.Equal([8u, 0x10u, 0x20u, 2u, 4u, 0x40u, 0x80u, 1u], config.MacSources);
        Assert.Empty(Load(Dhcp6("\"mac-sources\": [ \"any\" ]")).Warnings);
    }

    [Fact]
    public void UnknownSourceIsRejectedWithItsPath() =>
        LoadFails(Dhcp6("\"mac-sources\": [ \"duid\", \"arp\" ]"), "Dhcp6/mac-sources[1]", "'arp' is not a MAC source");

    [Fact]
    public void SourceNamedTwiceByItsAliasIsRejected() =>
        LoadFails(Dhcp6("\"mac-sources\": [ \"client-link-addr-option\", \"rfc6939\" ]"), "Dhcp6/mac-sources[1]", "already listed");

    [Fact]
    public void EmptyListIsRejected() =>
        LoadFails(Dhcp6("\"mac-sources\": [ ]"), "Dhcp6/mac-sources", "must not be empty");

    [Fact]
    public void NonListIsRejected() =>
        LoadFails(Dhcp6("\"mac-sources\": \"duid\""), "Dhcp6/mac-sources", "expected a list");
}
