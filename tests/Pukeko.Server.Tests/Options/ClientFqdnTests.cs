using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Options;

/// <summary>Client FQDN (RFC 4704) answered as Kea does without DNS updates: N=1, S=0, O when the client asked for S.</summary>
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
    public void NoFqdnOptionNoFqdnInReply()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(Config)));
        Assert.False(h.Exchange(Create(MessageType.Solicit)).Reply!.Options.Contains(OptionCode.ClientFqdn));
    }
}
