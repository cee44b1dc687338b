using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// <c>mac-sources</c>: which hardware address a lease records (memfile columns hwaddr, hwtype, hwaddr_source) for
/// relayed and direct clients, with every source Kea knows.
/// </summary>
public sealed class MacSourcesTests
{
    private static readonly Duid EnterpriseDuid = Duid.CreateEn(2495, [1, 2, 3, 4]);
    private static readonly Duid LinkLayerDuid = Duid.CreateLl(1, [0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);

    private static PipelineHarness Harness(string? macSources) => PipelineHarness.FromDhcp6(
        (macSources is null ? "" : $"\"mac-sources\": {macSources}, ") + """
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ]
        """);

    private static RelayLayer Relay(string peer = "fe80::abcd") => new()
    {
        Type = MessageType.RelayForward,
        LinkAddress = Ipv6Address.Parse("2001:db8:1::1"),
        PeerAddress = Ipv6Address.Parse(peer),
    };

    private static VendorOptsOption CableLabs(ushort code, byte[] data)
    {
        var vendor = new VendorOptsOption(4491);
        vendor.Options.Add(new RawOption(code, data));
        return vendor;
    }

    /// <summary>Requests an address and returns the hwaddr, hwtype and hwaddr_source columns of its lease row.</summary>
    private static (string HwAddr, string HwType, string Source) LeaseColumns(PipelineHarness h, Dhcp6Message request, params RelayLayer[] relays)
    {
        var (reply, _, _) = h.Exchange(request, relays.Length > 0 ? relays : null, relays.Length > 0 ? Ipv6Address.Parse("2001:db8:9::1") : PipelineHarness.ClientLinkLocal);
        Assert.NotNull(reply);
        var address = AddressOf(reply!)!.Address;
        var row = LeaseCsvFormatter.FormatRow(h.Store.Get(address)!).Split(',');
        return (row[LeaseCsvSchema.HardwareAddress], row[15], row[16]);
    }

    private static Dhcp6Message Request(Duid clientId) => Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: clientId);

    [Fact]
    public void AnyPrefersTheRelaysClientLinkLayerOptionOverTheDuid()
    {
        using var h = Harness(null);
        var relay = Relay();
        relay.Options.Add(new RawOption(OptionCode.ClientLinkLayerAddr, [0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]));
        Assert.Equal(("0a:0b:0c:0d:0e:0f", "1", "8"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Fact]
    public void AnyFallsBackToTheDuidThenToTheRelayedLinkLocalPeerAddress()
    {
        using (var h = Harness("[ \"any\" ]"))
        {
            Assert.Equal(("02:11:22:33:44:55", "1", "2"), LeaseColumns(h, Request(LinkLayerDuid), Relay("fe80::21b:21ff:feaa:bbcc")));
        }

        using (var h = Harness("[ \"any\" ]"))
        {
            Assert.Equal(("00:1b:21:aa:bb:cc", "1", "4"), LeaseColumns(h, Request(EnterpriseDuid), Relay("fe80::21b:21ff:feaa:bbcc")));
        }
    }

    [Fact]
    public void DuidOnlyIgnoresTheRelayOption()
    {
        using var h = Harness("[ \"duid\" ]");
        var relay = Relay();
        relay.Options.Add(new RawOption(OptionCode.ClientLinkLayerAddr, [0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]));
        Assert.Equal(("02:11:22:33:44:55", "1", "2"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Fact]
    public void LinkLocalOfADirectClient()
    {
        using var h = Harness("[ \"ipv6-link-local\" ]");
        var (reply, _, _) = h.Exchange(Request(LinkLayerDuid), null, Ipv6Address.Parse("fe80::21b:21ff:feaa:bbcc"));
        var lease = h.Store.Get(AddressOf(reply!)!.Address)!;
        Assert.Equal(new byte[] { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc }, lease.HardwareAddress);
        Assert.Equal(Pukeko.Server.Allocation.HardwareAddressFinder.SourceLinkLocal, lease.HardwareAddressSource);
    }

    [Fact]
    public void LinkLocalWhoseUniversalBitIsClearIsNotAMac()
    {
        // fe80::1:2ff:fe03:405 has ff:fe in the middle but its u bit clear: Kea does not read it as a MAC-48.
        using var h = Harness("[ \"ipv6-link-local\" ]");
        Assert.Equal(("", "0", "0"), LeaseColumns(h, Request(LinkLayerDuid)));
    }

    [Fact]
    public void LinkLocalWithoutEui64RecordsNoHardwareAddress()
    {
        using var h = Harness("[ \"ipv6-link-local\" ]");
        Assert.Equal(("", "0", "0"), LeaseColumns(h, Request(LinkLayerDuid), Relay("fe80::abcd")));
    }

    [Theory]
    [InlineData("client-link-addr-option")]
    [InlineData("rfc6939")]
    public void ClientLinkLayerOptionTakesItsOwnHardwareType(string name)
    {
        using var h = Harness($"[ \"{name}\" ]");
        var relay = Relay();
        relay.Options.Add(new RawOption(OptionCode.ClientLinkLayerAddr, [0, 6, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]));
        Assert.Equal(("0a:0b:0c:0d:0e:0f", "6", "8"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Theory]
    [InlineData("remote-id")]
    [InlineData("rfc4649")]
    public void RemoteIdAfterItsEnterpriseNumber(string name)
    {
        using var h = Harness($"[ \"{name}\", \"duid\" ]");
        var relay = Relay();
        relay.Options.Add(new RawOption(OptionCode.RemoteId, [0, 0, 0x0d, 0xe9, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16]));
        Assert.Equal(("11:12:13:14:15:16", "1", "16"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Fact]
    public void RemoteIdOfTheOuterRelayIsNotUsed()
    {
        using var h = Harness("[ \"remote-id\" ]");
        var outer = Relay();
        outer.LinkAddress = Ipv6Address.Parse("2001:db8:1::1");
        outer.Options.Add(new RawOption(OptionCode.RemoteId, [0, 0, 0x0d, 0xe9, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16]));
        var inner = Relay();
        inner.LinkAddress = Ipv6Address.Parse("2001:db8:1::2");
        Assert.Equal(("", "0", "0"), LeaseColumns(h, Request(LinkLayerDuid), outer, inner));
    }

    [Theory]
    [InlineData("subscriber-id")]
    [InlineData("rfc4580")]
    public void SubscriberIdIsAcceptedButYieldsNothingAsInKea(string name)
    {
        using var h = Harness($"[ \"{name}\" ]");
        var relay = Relay();
        relay.Options.Add(new RawOption(OptionCode.SubscriberId, [0x11, 0x12, 0x13, 0x14, 0x15, 0x16]));
        Assert.Equal(("", "0", "0"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Fact]
    public void DocsisCmtsCableModemMacFromTheRelaysVendorOption()
    {
        using var h = Harness("[ \"docsis-cmts\" ]");
        var relay = Relay();
        relay.Options.Add(CableLabs(1026, [0x00, 0x10, 0x95, 0x01, 0x02, 0x03]));
        Assert.Equal(("00:10:95:01:02:03", "1", "64"), LeaseColumns(h, Request(LinkLayerDuid), relay));
    }

    [Fact]
    public void DocsisModemDeviceIdFromTheClientsVendorOption()
    {
        using var h = Harness("[ \"docsis-modem\" ]");
        var request = Request(LinkLayerDuid);
        request.Options.Add(CableLabs(36, [0x00, 0x10, 0x95, 0x0a, 0x0b, 0x0c]));
        Assert.Equal(("00:10:95:0a:0b:0c", "1", "128"), LeaseColumns(h, request, Relay()));
    }

    [Fact]
    public void AnyReachesTheDocsisSourcesLast()
    {
        using var h = Harness(null);
        var relay = Relay();
        relay.Options.Add(CableLabs(1026, [0x00, 0x10, 0x95, 0x01, 0x02, 0x03]));
        var request = Request(EnterpriseDuid);
        request.Options.Add(CableLabs(36, [0x00, 0x10, 0x95, 0x0a, 0x0b, 0x0c]));
        Assert.Equal(("00:10:95:01:02:03", "1", "64"), LeaseColumns(h, request, relay));
    }

    [Fact]
    public void OtherVendorsOptionsAreNotDocsis()
    {
        using var h = Harness("[ \"docsis-modem\" ]");
        var request = Request(LinkLayerDuid);
        var vendor = new VendorOptsOption(9);
        vendor.Options.Add(new RawOption(36, [0x00, 0x10, 0x95, 0x0a, 0x0b, 0x0c]));
        request.Options.Add(vendor);
        Assert.Equal(("", "0", "0"), LeaseColumns(h, request, Relay()));
    }

    [Fact]
    public void ConfiguredOrderDecides()
    {
        using var h = Harness("[ \"docsis-modem\", \"duid\" ]");
        var request = Request(LinkLayerDuid);
        request.Options.Add(CableLabs(36, [0x00, 0x10, 0x95, 0x0a, 0x0b, 0x0c]));
        Assert.Equal(("00:10:95:0a:0b:0c", "1", "128"), LeaseColumns(h, request, Relay()));
    }
}
