using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Options;

/// <summary>Client FQDN (RFC 4704) through the pipeline: without DNS updates (N=1, S=0, O when the client asked for S) and with them.</summary>
public sealed class ClientFqdnTests
{
    private const string Config = """
        "ddns-send-updates": false,
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] } ]
        """;

    private static Dhcp6Message WithFqdn(Dhcp6Message message, byte flags, string name, bool partial)
    {
        message.Options.Add(new ClientFqdnOption(flags, name, partial));
        return message;
    }

    [Fact]
    public void ServerUpdateRequestIsOverriddenAndTheNameStoredInTheLease()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        var request = WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), ClientFqdnOption.FlagS, "laptop.example.com", partial: false);
        var reply = h.Exchange(request).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.True(fqdn.NoUpdate);
        Assert.False(fqdn.ServerUpdates);
        Assert.True(fqdn.Override);
        Assert.Equal("laptop.example.com", fqdn.DomainName);
        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!;
        Assert.Equal("laptop.example.com.", lease.Hostname);
        Assert.False(lease.FqdnForward);
        Assert.False(lease.FqdnReverse);
    }

    [Fact]
    public void PartialNameIsQualifiedAndNoOverrideWithoutS()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        var reply = h.Exchange(WithFqdn(Create(MessageType.Solicit), 0, "laptop", partial: true)).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.False(fqdn.IsPartialName);
        Assert.False(fqdn.Override);
        Assert.True(fqdn.NoUpdate);
        Assert.Equal("laptop", fqdn.DomainName);
    }

    [Fact]
    public void EmptyNameIsGeneratedFromTheAddress()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), 0, "", partial: true)).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.Equal("myhost-2001-db8-1--10", fqdn.DomainName);
        Assert.Equal("myhost-2001-db8-1--10.", h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!.Hostname);
    }

    [Fact]
    public void AGeneratedNameIsWrittenToTheAddressLeaseOnlyNotToTheDelegatedPrefix()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "ddns-send-updates": false,
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
                           "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 } ] } ]
            """)));
        var request = WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), 0, "", partial: true);
        request.Options.Add(new IaPdOption(7, 0, 0));
        var reply = h.Exchange(request).Reply!;
        Assert.Equal("myhost-2001-db8-1--10", Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).DomainName);

        var prefix = Assert.IsType<IaPrefixOption>(Assert.IsType<IaPdOption>(reply.Options.Get(OptionCode.IaPd)).Options.Get(OptionCode.IaPrefix));
        Assert.Equal("myhost-2001-db8-1--10.", h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!.Hostname);
        Assert.Equal("", h.Store.Get(prefix.Prefix)!.Hostname);
    }

    private const string Enabled = """
        "dhcp-ddns": { "enable-updates": true },
        "ddns-qualifying-suffix": "example.com",
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                       "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" },
                                  { "pool": "2001:db8:1::100-2001:db8:1::10f", "ddns-qualifying-suffix": "pool.example.com" } ],
                       "reservations": [ { "duid": "00:01:00:01:29:b9:27:00:00:01:02:03:04:05", "ip-addresses": [ "2001:db8:1::50" ], "hostname": "printer" } ] } ]
        """;

    [Fact]
    public void WithUpdatesOnTheServerTakesBothDirectionsAndStoresThem()
    {
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"hostname\": \"printer\"", "\"hostname\": \"\"", StringComparison.Ordinal).Replace("\"ip-addresses\": [ \"2001:db8:1::50\" ], ", "", StringComparison.Ordinal));
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), ClientFqdnOption.FlagS, "laptop", partial: true)).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.Equal(ClientFqdnOption.FlagS, fqdn.Flags);
        Assert.Equal("laptop.example.com", fqdn.DomainName);
        Assert.False(fqdn.IsPartialName);
        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!;
        Assert.Equal("laptop.example.com.", lease.Hostname);
        Assert.True(lease.FqdnForward);
        Assert.True(lease.FqdnReverse);
    }

    [Theory]
    [InlineData("066c6170746f7000" + "ffff", "laptop.example.com")] // "laptop." then stray bytes: partial, as Kea judges it
    [InlineData("066c6170746f7000" + "0100", "laptop")]             // the option ends in 0: full, the stray bytes ignored
    public void BytesAfterATerminatedNameAreIgnoredAndTheLastByteSaysWhetherItIsQualified(string name, string expected)
    {
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"ip-addresses\": [ \"2001:db8:1::50\" ], \"hostname\": \"printer\" ", "\"hostname\": \"\" ", StringComparison.Ordinal));
        var payload = "01" + name;
        var option = "0027" + (payload.Length / 2).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + payload;
        var reply = h.ExchangeRaw(WireWith(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), option)).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.Equal(expected, fqdn.DomainName);
        Assert.False(fqdn.IsPartialName);
        Assert.Equal(expected + ".", h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!.Hostname);
    }

    [Fact]
    public void ClientDoingItsOwnForwardUpdateGetsReverseOnly()
    {
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"ip-addresses\": [ \"2001:db8:1::50\" ], \"hostname\": \"printer\" ", "\"hostname\": \"\" ", StringComparison.Ordinal));
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Pukeko.Protocol.Duids.Duid.CreateLlt(1, 5, [9, 9, 9, 9, 9, 9])), 0, "laptop", partial: true)).Reply!;
        Assert.Equal(0, Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).Flags);
        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!;
        Assert.False(lease.FqdnForward);
        Assert.True(lease.FqdnReverse);
    }

    [Fact]
    public void ReservedHostnameIsQualifiedAndStored()
    {
        using var h = PipelineHarness.FromDhcp6(Enabled);
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), ClientFqdnOption.FlagS, "laptop", partial: true)).Reply!;
        Assert.Equal("printer.example.com", Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).DomainName);
        Assert.Equal("printer.example.com.", h.Store.Get(Ipv6Address.Parse("2001:db8:1::50"))!.Hostname);
    }

    // Kea's qualifyName on a reserved name: a name that already ends with the suffix's labels is only given its
    // trailing dot; any other name, dotted or not, has the suffix appended. One deliberate difference: Kea 2.2
    // compares with the suffix before lower-casing, so it would store "printer.example.com.example.com." for
    // "Printer.Example.COM"; DNS names are case-insensitive, so Pukeko lower-cases first.
    [Theory]
    [InlineData("printer.example.com", "printer.example.com.")]
    [InlineData("printer.example.com.", "printer.example.com.")]
    [InlineData("Printer.Example.COM", "printer.example.com.")]
    [InlineData("printer.", "printer.example.com.")]
    [InlineData("printer.other.org", "printer.other.org.example.com.")]
    [InlineData("printer.barexample.com", "printer.barexample.com.example.com.")]
    public void ReservedHostnameThatIsAlreadyAnFqdnIsQualifiedAsKeaDoes(string reserved, string stored)
    {
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"hostname\": \"printer\"", $"\"hostname\": \"{reserved}\"", StringComparison.Ordinal));
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), ClientFqdnOption.FlagS, "laptop", partial: true)).Reply!;
        var fqdn = Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn));
        Assert.False(fqdn.IsPartialName);
        Assert.Equal(stored.TrimEnd('.'), fqdn.DomainName);
        Assert.Equal(stored, h.Store.Get(Ipv6Address.Parse("2001:db8:1::50"))!.Hostname);
    }

    [Fact]
    public void ReservedFqdnWithoutTheClientsOptionIsStoredAsWritten()
    {
        // Kea keeps the reservation's name unchanged in the lease when the client sent no Client FQDN option and
        // the server is not told to make one up (ddns-replace-client-name never).
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"hostname\": \"printer\"", "\"hostname\": \"printer.other.org\"", StringComparison.Ordinal));
        var reply = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.False(reply.Options.Contains(OptionCode.ClientFqdn));
        Assert.Equal("printer.other.org", h.Store.Get(Ipv6Address.Parse("2001:db8:1::50"))!.Hostname);
    }

    [Fact]
    public void PoolParametersApplyOnceTheAddressIsKnown()
    {
        using var h = PipelineHarness.FromDhcp6(Enabled.Replace("\"2001:db8:1::10-2001:db8:1::1f\"", "\"2001:db8:1::10-2001:db8:1::10\"", StringComparison.Ordinal)
            .Replace("\"ip-addresses\": [ \"2001:db8:1::50\" ], \"hostname\": \"printer\" ", "\"hostname\": \"\" ", StringComparison.Ordinal));
        h.Store.Add(new Pukeko.Server.Leases.Lease6
        {
            Address = Ipv6Address.Parse("2001:db8:1::10"), Duid = [1, 2, 3], Iaid = 9, ValidLifetime = 4000, PreferredLifetime = 3000,
            Cltt = 1_700_000_000, SubnetId = 1,
        });
        var request = WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), ClientFqdnOption.FlagS, "laptop", partial: true);
        var reply = h.Exchange(request).Reply!;
        var address = AddressOf(reply)!.Address;
        Assert.Equal(Ipv6Address.Parse("2001:db8:1::100"), address);
        Assert.Equal("laptop.pool.example.com", Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).DomainName);
        Assert.Equal("laptop.pool.example.com.", h.Store.Get(address)!.Hostname);
    }

    [Fact]
    public void NAndSTogetherDropThePacketAsAParseFailure()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        var (reply, _, _) = h.Exchange(WithFqdn(Create(MessageType.Solicit), (byte)(ClientFqdnOption.FlagS | ClientFqdnOption.FlagN), "x", partial: true));
        Assert.Null(reply);
        Assert.Equal(1, h.Packets.ParseFailed.Value);
    }

    [Fact]
    public void RenewWithoutTheOptionClearsTheNameAsKeaDoes()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        h.Exchange(WithFqdn(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid), 0, "laptop.example.com", partial: false));
        h.Time.Advance(TimeSpan.FromSeconds(5000));
        h.Exchange(Create(MessageType.Renew, address: Ipv6Address.Parse("2001:db8:1::10"), serverId: PipelineHarness.ServerDuid));
        Assert.Equal("", h.Store.Get(Ipv6Address.Parse("2001:db8:1::10"))!.Hostname);
    }

    /// <summary>The situation of Forge's test_control_channel_lease6_get_by: DDNS sent in one subnet of a shared network, not in the other.</summary>
    [Fact]
    public void SendUpdatesPerSubnetDecidesTheFlagsAndTheStoredDirections()
    {
        using var h = PipelineHarness.FromDhcp6("""
            "ddns-send-updates": true,
            "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001 },
            "shared-networks": [ { "name": "name-abc", "interface": "eth0", "subnet6": [
              { "id": 1, "subnet": "2001:db8:a::/64", "pools": [ { "pool": "2001:db8:a::5-2001:db8:a::6" } ],
                "ddns-send-updates": true, "ddns-generated-prefix": "six", "ddns-qualifying-suffix": "example.com" },
              { "id": 2, "subnet": "2001:db8:b::/64", "pools": [ { "pool": "2001:db8:b::10-2001:db8:b::11" } ], "ddns-send-updates": false } ] } ]
            """);
        var first = Pukeko.Protocol.Duids.Duid.CreateLl(1, [8, 8, 8, 8, 8, 8]);
        var reply = h.Exchange(WithFqdn(Create(MessageType.Request, iaid: 5, serverId: PipelineHarness.ServerDuid, clientId: first), ClientFqdnOption.FlagS, "six.hostname.com", partial: false)).Reply!;
        Assert.Equal(ClientFqdnOption.FlagS, Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).Flags);
        var lease = h.Store.Get(Ipv6Address.Parse("2001:db8:a::5"))!;
        Assert.Equal(("six.hostname.com.", true, true), (lease.Hostname, lease.FqdnForward, lease.FqdnReverse));

        // The first subnet is full after one more client; the next one lands in the second, where updates are off.
        h.Exchange(Create(MessageType.Request, iaid: 6, serverId: PipelineHarness.ServerDuid, clientId: Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9])));
        h.Exchange(Create(MessageType.Request, iaid: 10, serverId: PipelineHarness.ServerDuid, clientId: Pukeko.Protocol.Duids.Duid.CreateLl(1, [0x10, 0x10, 0x10, 0x10, 0x10, 0x10])));
        var last = Pukeko.Protocol.Duids.Duid.CreateLl(1, [0x11, 0x11, 0x11, 0x11, 0x11, 0x11]);
        reply = h.Exchange(WithFqdn(Create(MessageType.Request, iaid: 11, serverId: PipelineHarness.ServerDuid, clientId: last), ClientFqdnOption.FlagS, "xyz.com", partial: false)).Reply!;
        Assert.Equal(Ipv6Address.Parse("2001:db8:b::11"), AddressOf(reply, 11)!.Address);
        Assert.Equal(ClientFqdnOption.FlagO | ClientFqdnOption.FlagN, Assert.IsType<ClientFqdnOption>(reply.Options.Get(OptionCode.ClientFqdn)).Flags);
        lease = h.Store.Get(Ipv6Address.Parse("2001:db8:b::11"))!;
        Assert.Equal(("xyz.com.", false, false), (lease.Hostname, lease.FqdnForward, lease.FqdnReverse));
    }

    [Fact]
    public void NoFqdnOptionNoFqdnInReply()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        Assert.False(h.Exchange(Create(MessageType.Solicit)).Reply!.Options.Contains(OptionCode.ClientFqdn));
    }
}
