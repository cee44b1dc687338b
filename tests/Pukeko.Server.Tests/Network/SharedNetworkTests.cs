using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

public class SharedNetworkTests
{
    /// <summary>Two one-address subnets on one link, reached through the first's interface.</summary>
    private const string TwoTinySubnets = """
        "cache-threshold": 0,
        "valid-lifetime": 4000,
        "shared-networks": [ {
            "name": "lab", "interface": "eth0", "valid-lifetime": 5000, "rapid-commit": true,
            "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
            "subnet6": [
                { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::1" } ],
                  "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 64, "delegated-len": 64 } ] },
                { "id": 2, "subnet": "2001:db8:2::/64", "valid-lifetime": 6000, "pools": [ { "pool": "2001:db8:2::1-2001:db8:2::1" } ],
                  "pd-pools": [ { "prefix": "2001:db8:200::", "prefix-len": 64, "delegated-len": 64 } ],
                  "option-data": [ { "name": "dns-servers", "data": "2001:db8::54" } ] }
            ] } ]
        """;

    private static Duid Client(byte n) => Duid.CreateLl(1, [0, 0, 0, 0, 0, n]);

    private static Dhcp6Message Request(byte client, params ushort[] oro) =>
        Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(client), oro: oro);

    [Fact]
    public void AllocationMovesToTheNextSubnetWhenTheFirstIsFullAndTakesItsParameters()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets);
        var (first, _, _) = h.Exchange(Request(1, OptionCode.DnsServers));
        var (second, _, _) = h.Exchange(Request(2, OptionCode.DnsServers));

        Assert.Equal((Ipv6Address.Parse("2001:db8:1::1"), 5000u), (AddressOf(first!)!.Address, AddressOf(first!)!.ValidLifetime));
        Assert.Equal((Ipv6Address.Parse("2001:db8:2::1"), 6000u), (AddressOf(second!)!.Address, AddressOf(second!)!.ValidLifetime));
        Assert.Equal(2u, h.Store.Get(Ipv6Address.Parse("2001:db8:2::1"))!.SubnetId);

        // Subnet 1 has no dns-servers of its own: the shared network's; subnet 2's own wins there.
        Assert.Equal(Ipv6Address.Parse("2001:db8::53"), Assert.Single(first!.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses));
        Assert.Equal(Ipv6Address.Parse("2001:db8::54"), Assert.Single(second!.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses));

        var (third, _, _) = h.Exchange(Request(3));
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(third!).Options));
        Assert.Equal(1, h.Statistics.Value("v6-allocation-fail-shared-network"));
    }

    [Fact]
    public void PrefixesAreDelegatedAcrossTheNetworkToo()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets);
        var (a, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(1)));
        var (b, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Client(2)));
        Assert.Equal("2001:db8:100::/64", PrefixText(Assert.Single(Prefixes(a!))));
        Assert.Equal("2001:db8:200::/64", PrefixText(Assert.Single(Prefixes(b!))));
    }

    [Fact]
    public void TheMostRecentlyUsedSubnetIsTriedFirst()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets
            .Replace("2001:db8:1::1-2001:db8:1::1", "2001:db8:1::1-2001:db8:1::2", StringComparison.Ordinal)
            .Replace("2001:db8:2::1-2001:db8:2::1", "2001:db8:2::1-2001:db8:2::2", StringComparison.Ordinal));
        h.Exchange(Request(1));
        h.Exchange(Request(2));
        h.Exchange(Request(3)); // subnet 1 is full now: subnet 2
        var released = Create(MessageType.Release, address: Ipv6Address.Parse("2001:db8:1::1"), serverId: PipelineHarness.ServerDuid, clientId: Client(1));
        h.Exchange(released);

        // Subnet 1 has room again, but subnet 2 was used last.
        var (reply, _, _) = h.Exchange(Request(4));
        Assert.Equal(2u, h.Store.Get(AddressOf(reply!)!.Address)!.SubnetId);
    }

    [Fact]
    public void ALeaseInAnotherSubnetOfTheNetworkIsRenewedWhereItIs()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets);
        h.Exchange(Request(1));
        h.Exchange(Request(2));
        h.Time.Advance(TimeSpan.FromSeconds(100));
        var renew = Create(MessageType.Renew, address: Ipv6Address.Parse("2001:db8:2::1"), serverId: PipelineHarness.ServerDuid, clientId: Client(2));
        var (reply, _, _) = h.Exchange(renew);
        var address = AddressOf(reply!)!;
        Assert.Equal((Ipv6Address.Parse("2001:db8:2::1"), 6000u), (address.Address, address.ValidLifetime));
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds(), h.Store.Get(address.Address)!.Cltt);
    }

    [Fact]
    public void RapidCommitIsInheritedFromTheNetwork()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets);
        var solicit = Create(MessageType.Solicit, clientId: Client(1));
        solicit.Options.Add(new EmptyOption(OptionCode.RapidCommit));
        var (reply, _, _) = h.Exchange(solicit);
        Assert.Equal(MessageType.Reply, reply!.Type);
    }

    [Fact]
    public void ConfirmAcceptsAddressesOfAnySubnetOnTheSharedLink()
    {
        using var h = PipelineHarness.FromDhcp6(TwoTinySubnets);
        var (onLink, _, _) = h.Exchange(Create(MessageType.Confirm, address: Ipv6Address.Parse("2001:db8:2::77")));
        Assert.Equal(StatusCode.Success, StatusOf(onLink!.Options));
        var (offLink, _, _) = h.Exchange(Create(MessageType.Confirm, address: Ipv6Address.Parse("2001:db8:3::77")));
        Assert.Equal(StatusCode.NotOnLink, StatusOf(offLink!.Options));
    }
}
