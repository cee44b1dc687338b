using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Network.NetworkMessages;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Network;

/// <summary><c>excluded-prefixes</c> of a host reservation: the PD-Exclude option (RFC 6603) of the reserved prefix.</summary>
public sealed class ReservedPrefixExcludeTests
{
    private static readonly string ClientDuidText = string.Join(":", ClientDuid.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static string Layout(string excluded) => $$"""
        "subnet6": [ { "id": 1, "subnet": "2001:db8:a::/48", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:a::1-2001:db8:a::ff" } ],
            "pd-pools": [ { "prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56,
                            "excluded-prefix": "2001:db8:1::", "excluded-prefix-len": 64 } ],
            "reservations": [ { "duid": "{{ClientDuidText}}", "prefixes": [ "2001:db8:2:100::/56", "2001:db8:3:100::/56" ],
                                "excluded-prefixes": {{excluded}} } ] } ]
        """;

    [Fact]
    public void ReservedPrefixCarriesItsOwnExcludedPrefix()
    {
        using var h = PipelineHarness.FromDhcp6(Layout("[ \"2001:db8:2:1ff::/64\", \"\" ]"));
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, oro: OptionCode.PdExclude));
        var prefix = Prefixes(reply!).Single(p => PrefixText(p) == "2001:db8:2:100::/56");
        var exclude = prefix.Options.Get<RawOption>(OptionCode.PdExclude);
        Assert.NotNull(exclude);
        Assert.Equal(new byte[] { 64, 0xff }, exclude.Data); // length 64, then bits 57..64 of 2001:db8:2:1ff::
    }

    [Fact]
    public void AReservedPrefixFromAnotherSharedNetworkMemberCarriesItsExcludedPrefix()
    {
        using var h = PipelineHarness.FromDhcp6($$"""
            "shared-networks": [ { "name": "lab", "interface": "eth0", "subnet6": [
                { "id": 1, "subnet": "2001:db8:a::/48", "pools": [ { "pool": "2001:db8:a::1-2001:db8:a::ff" } ] },
                { "id": 2, "subnet": "2001:db8:b::/48",
                  "reservations": [ { "duid": "{{ClientDuidText}}", "prefixes": [ "2001:db8:2:100::/56" ],
                                      "excluded-prefixes": [ "2001:db8:2:1ff::/64" ] } ] } ] } ]
            """);
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, oro: OptionCode.PdExclude));
        var prefix = Prefixes(reply!).Single(p => PrefixText(p) == "2001:db8:2:100::/56");
        Assert.Equal(new byte[] { 64, 0xff }, prefix.Options.Get<RawOption>(OptionCode.PdExclude)!.Data);
    }

    [Fact]
    public void ReservedPrefixWithoutAnExclusionGetsNoneEvenInsideAnExcludingPool()
    {
        using var h = PipelineHarness.FromDhcp6(Layout("[ \"\", \"\" ]"));
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid, oro: OptionCode.PdExclude));
        Assert.All(Prefixes(reply!), p => Assert.Null(p.Options.Get(OptionCode.PdExclude)));
    }

    [Fact]
    public void ExclusionIsSentOnlyWhenAsked()
    {
        using var h = PipelineHarness.FromDhcp6(Layout("[ \"2001:db8:2:1ff::/64\", \"\" ]"));
        var (reply, _, _) = h.Exchange(WithPd(MessageType.Request, serverId: PipelineHarness.ServerDuid));
        Assert.All(Prefixes(reply!), p => Assert.Null(p.Options.Get(OptionCode.PdExclude)));
    }

    [Fact]
    public void ConfigIsCheckedAsKeaChecksIt()
    {
        Assert.Empty(Load(Dhcp6(Layout("[ \"2001:db8:2:1ff::/64\", \"\" ]"))).Warnings);
        LoadFails(Dhcp6(Layout("[ \"2001:db8:2:1ff::/64\" ]")), "Dhcp6/subnet6[0]/reservations[0]/excluded-prefixes", "does not match the 'prefixes' parameter: 1 != 2");
        LoadFails(Dhcp6(Layout("[ \"2001:db8:2::/48\", \"\" ]")), "Dhcp6/subnet6[0]/reservations[0]/excluded-prefixes[0]", "must be greater than the length");
        LoadFails(Dhcp6(Layout("[ \"2001:db8:9:100::/64\", \"\" ]")), "Dhcp6/subnet6[0]/reservations[0]/excluded-prefixes[0]", "same common prefix part");
        LoadFails(Dhcp6(Layout("[ \"2001:db8:2:100::\", \"\" ]")), "Dhcp6/subnet6[0]/reservations[0]/excluded-prefixes[0]", "requires prefix length");
        LoadFails(
            Dhcp6($$"""
                "subnet6": [ { "id": 1, "subnet": "2001:db8:a::/48", "reservations": [ { "duid": "01:02:03", "excluded-prefixes": [ "" ] } ] } ]
                """),
            "Dhcp6/subnet6[0]/reservations[0]/excluded-prefixes", "requires the 'prefixes' parameter");
    }
}
