using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Options;

/// <summary>
/// <c>compatibility.lenient-option-parsing</c> through the pipeline: what Kea's DHCPv6 server tolerates in received
/// options with it on (Client FQDN with N and S set, or an unreadable name; class entries overrunning their option),
/// and drops with it off; and what it ignores in both modes (data in an empty option).
/// </summary>
public sealed class LenientOptionParsingTests
{
    private static PipelineHarness Harness(bool lenient) => new(LoadOk(Dhcp6($$"""
        "compatibility": { "lenient-option-parsing": {{(lenient ? "true" : "false")}} },
        "ddns-send-updates": false,
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
        """)));

    private static byte[] RequestWith(string option) => WireWith(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), option);

    [Fact]
    public void AClientFqdnWithNAndSSetIsDroppedStrictlyAndHasNClearedLeniently()
    {
        var request = Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);
        request.Options.Add(new ClientFqdnOption(ClientFqdnOption.FlagN | ClientFqdnOption.FlagS, "laptop.example.com"));

        using var strict = Harness(lenient: false);
        Assert.Null(strict.Exchange(request).Reply);

        using var lenient = Harness(lenient: true);
        var reply = lenient.Exchange(request).Reply!;
        Assert.NotNull(AddressOf(reply));
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.Equal("laptop.example.com", fqdn.DomainName);
        Assert.True(fqdn.Override); // the client asked for updates (S) and, updates being off, was overridden
    }

    [Fact]
    public void AClientFqdnWithAnUnreadableNameFailsThePacketStrictlyAndIsIgnoredLeniently()
    {
        var datagram = RequestWith("0027" + "0005" + "01" + "10616263");

        using var strict = Harness(lenient: false);
        Assert.Null(strict.ExchangeRaw(datagram).Reply);
        Assert.Equal(1, strict.Packets.ParseFailed.Value);

        using var lenient = Harness(lenient: true);
        var reply = lenient.ExchangeRaw(datagram).Reply!;
        Assert.NotNull(AddressOf(reply));
        Assert.False(reply.Options.Contains(OptionCode.ClientFqdn));
    }

    [Fact]
    public void AVendorClassEntryOverrunningItsOptionFailsStrictlyAndIsTakenToItsEndLeniently()
    {
        var datagram = RequestWith("0010" + "0009" + "0000118b" + "0010" + "616263");

        using var strict = Harness(lenient: false);
        Assert.Null(strict.ExchangeRaw(datagram).Reply);

        using var lenient = Harness(lenient: true);
        Assert.NotNull(AddressOf(lenient.ExchangeRaw(datagram).Reply!));
    }

    [Fact]
    public void AReconfigureAcceptCarryingDataIsServedInBothModes()
    {
        // Reconfigure Accept is empty by definition; Kea (2.2 and 3.x, lenient or not) ignores the two bytes it carries here.
        var datagram = RequestWith("0014" + "0002" + "abcd");
        foreach (var mode in new[] { false, true })
        {
            using var h = Harness(lenient: mode);
            Assert.NotNull(AddressOf(h.ExchangeRaw(datagram).Reply!));
            Assert.Equal(0, h.Packets.ParseFailed.Value);
        }
    }
}
