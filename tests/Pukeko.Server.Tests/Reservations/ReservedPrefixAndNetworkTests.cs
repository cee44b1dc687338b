using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reservations;

/// <summary>Reservations and classes meeting prefix delegation and shared networks.</summary>
public sealed class ReservedPrefixAndNetworkTests
{
    private static readonly Duid Stranger = Duid.CreateLl(1, [2, 0, 0, 0, 0, 9]);

    private const string PdConfig = """
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ],
            "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 62, "delegated-len": 64 } ],
            "reservations": [ { "hw-address": "00:01:02:03:04:05", "prefixes": [ "2001:db8:100:2::/64", "2001:db8:ff00::/56" ] } ] } ]
        """;

    [Fact]
    public void ReservedPrefixIsDelegatedFirstEvenOutsideThePools()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(PdConfig)));
        var reply = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal("2001:db8:100:2::/64", PrefixText(Assert.Single(Prefixes(reply))));

        // A second IA_PD of the same client gets its next reserved prefix, out of the pools.
        var second = h.Exchange(WithPd(MessageType.Request, iaid: 8, serverId: PipelineHarness.ServerDuid)).Reply!;
        Assert.Equal("2001:db8:ff00::/56", PrefixText(Assert.Single(Prefixes(second, 8))));
    }

    [Fact]
    public void ReservedPrefixIsNotDelegatedToOthers()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6(PdConfig)));
        var prefixes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var reply = h.Exchange(WithPd(MessageType.Request, iaid: (uint)(20 + i), serverId: PipelineHarness.ServerDuid, clientId: Stranger)).Reply!;
            prefixes.AddRange(Prefixes(reply, (uint)(20 + i)).Select(PrefixText));
        }

        Assert.Equal(["2001:db8:100::/64", "2001:db8:100:1::/64", "2001:db8:100:3::/64"], prefixes);
    }

    [Fact]
    public void SharedNetworkClassesGateAllItsSubnetsAndItsAdditionalClassesApply()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "client-classes": [
                { "name": "lab", "test": "substring(option[1].hex, 0, 2) == 0x0001" },
                { "name": "net-extra", "only-in-additional-list": true, "option-data": [ { "name": "preference", "data": "77" } ] } ],
            "shared-networks": [ { "name": "office", "interface": "eth0", "client-classes": [ "lab" ],
                "evaluate-additional-classes": [ "net-extra" ],
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/120" } ] } ] } ]
            """)));
        var member = h.Exchange(Create(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.NotNull(AddressOf(member));
        Assert.Equal([77], member.Options.Get(OptionCode.Preference)!.GetData());

        var outsider = h.Exchange(Create(MessageType.Solicit, clientId: Stranger)).Reply!;
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(outsider).Options));
    }
}
