using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Network.NetworkMessages;

namespace Pukeko.Server.Tests.Configuration;

/// <summary>Keys that were "not implemented" at some levels only: pd-pool classes, shared-network reservation modes.</summary>
public sealed class PoolAndNetworkKeysTests
{
    [Fact]
    public void PdPoolAdditionalClassesApplyToItsPrefixes()
    {
        using var h = new PipelineHarness(LoadOk(Dhcp6("""
            "client-classes": [ { "name": "pd-extra", "only-in-additional-list": true, "option-data": [ { "name": "preference", "data": "42" } ] } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64, "evaluate-additional-classes": [ "pd-extra" ] } ] } ]
            """)));
        var reply = h.Exchange(WithPd(MessageType.Solicit, oro: OptionCode.Preference)).Reply!;
        Assert.Single(Prefixes(reply));
        Assert.Equal([42], reply.Options.Get(OptionCode.Preference)!.GetData());
    }

    [Fact]
    public void PdPoolOldSpellingsAreRead()
    {
        var result = Load(Dhcp6("""
            "subnet6": [ { "subnet": "2001:db8:1::/64",
                "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 56, "delegated-len": 64, "client-class": "cpe", "require-client-classes": [ "x" ] } ] } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        var pool = Assert.Single(result.Config!.Subnets[0].PdPools);
        Assert.Equal(["cpe"], pool.ClientClasses);
        Assert.Equal(["x"], pool.AdditionalClasses);
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("not implemented", StringComparison.Ordinal));
        Assert.Empty(result.Warnings); // Kea 2.x's spellings, in a file written for Kea 2.x
    }

    [Fact]
    public void SharedNetworkReservationModesAreInheritedBySubnetsThatDoNotSetThem()
    {
        var config = LoadOk(Dhcp6("""
            "reservations-global": false,
            "shared-networks": [ { "name": "n", "reservations-global": true, "reservations-in-subnet": false, "reservations-out-of-pool": true,
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" }, { "id": 2, "subnet": "2001:db8:2::/64", "reservations-in-subnet": true } ] } ],
            "subnet6": [ { "id": 3, "subnet": "2001:db8:3::/64" } ]
            """));
        var modes = config.Subnets.ToDictionary(s => s.Id, s => s.ReservationModes);
        Assert.Equal(new Pukeko.Server.Reservations.ReservationModes(true, false, true), modes[1]);
        Assert.Equal(new Pukeko.Server.Reservations.ReservationModes(true, true, true), modes[2]);
        Assert.Equal(new Pukeko.Server.Reservations.ReservationModes(false, true, false), modes[3]);
    }

    [Fact]
    public void SharedNetworkLegacyReservationModeIsRead()
    {
        var result = Load(Dhcp6("""
            "shared-networks": [ { "name": "n", "reservation-mode": "global", "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ] } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        AssertWarning(result, "Dhcp6/shared-networks[0]/reservation-mode", "deprecated");
        Assert.True(result.Config!.Subnets[0].ReservationModes.Global);
        Assert.False(result.Config.Subnets[0].ReservationModes.InSubnet);
    }
}
