using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Ddns;

namespace Pukeko.Server.Tests.Options;

/// <summary>Kea's Client FQDN rules, case by case (digest §2.3-§2.5).</summary>
public sealed class FqdnRulesTests
{
    private static readonly DdnsParameters Defaults = DdnsParameters.Default;

    /// <summary>
    /// Every client N,S combination × updates on/off × both overrides: the reply's S, N, O and the directions
    /// (forward = S, reverse = not N).
    /// </summary>
    [Theory]
    //          client N, S  enabled override-client override-no  → S,     N,     O,     fwd,   rev
    [InlineData(false, false, false, false, false, false, true, false, false, false)]
    [InlineData(false, false, false, true, true, false, true, false, false, false)]
    [InlineData(false, false, true, false, false, false, false, false, false, true)]
    [InlineData(false, false, true, true, false, true, false, true, true, true)]
    [InlineData(false, true, false, false, false, false, true, true, false, false)]
    [InlineData(false, true, false, true, true, false, true, true, false, false)]
    [InlineData(false, true, true, false, false, true, false, false, true, true)]
    [InlineData(false, true, true, true, true, true, false, false, true, true)]
    [InlineData(true, false, false, false, false, false, true, false, false, false)]
    [InlineData(true, false, false, false, true, false, true, false, false, false)]
    [InlineData(true, false, true, false, false, false, true, false, false, false)]
    [InlineData(true, false, true, true, false, false, true, false, false, false)]
    [InlineData(true, false, true, false, true, true, false, true, true, true)]
    public void FlagsAreComputedAsKeaDoes(bool clientN, bool clientS, bool enabled, bool overrideClient, bool overrideNo,
        bool s, bool n, bool o, bool forward, bool reverse)
    {
        var parameters = Defaults with { OverrideClientUpdate = overrideClient, OverrideNoUpdate = overrideNo };
        var flags = (byte)((clientS ? ClientFqdnOption.FlagS : 0) | (clientN ? ClientFqdnOption.FlagN : 0));
        var decision = FqdnRules.Decide(new ClientFqdnOption(flags, "host.example.com"), null, parameters, enabled);
        var response = decision.Response!;
        Assert.Equal((s, n, o), (response.ServerUpdates, response.NoUpdate, response.Override));
        Assert.Equal((forward, reverse), (decision.Forward, decision.Reverse));
        Assert.Equal("host.example.com.", decision.Hostname);
    }

    [Fact]
    public void NAndSTogetherAreRejected() =>
        Assert.Throws<ArgumentException>(() => FqdnRules.Flags(true, true, true, Defaults));

    [Theory]
    //          mode                 client option    → reply name                 hostname
    [InlineData("never", "laptop", "laptop.example.com", "laptop.example.com.")]
    [InlineData("never", "", "", "")]
    [InlineData("never", null, null, "")]
    [InlineData("always", "laptop", "", "")]
    [InlineData("always", "", "", "")]
    [InlineData("always", null, "", "")]
    [InlineData("when-present", "laptop", "", "")]
    [InlineData("when-present", "", "", "")]
    [InlineData("when-present", null, null, "")]
    [InlineData("when-not-present", "laptop", "laptop.example.com", "laptop.example.com.")]
    [InlineData("when-not-present", "", "", "")]
    [InlineData("when-not-present", null, "", "")]
    public void ReplaceClientNameModes(string mode, string? clientName, string? replyName, string hostname)
    {
        var parameters = Defaults with
        {
            QualifyingSuffix = "example.com",
            ReplaceClientName = mode switch
            {
                "always" => DdnsReplaceClientName.Always,
                "when-present" => DdnsReplaceClientName.WhenPresent,
                "when-not-present" => DdnsReplaceClientName.WhenNotPresent,
                _ => DdnsReplaceClientName.Never,
            },
        };
        var client = clientName is null ? null : new ClientFqdnOption(ClientFqdnOption.FlagS, clientName, isPartialName: true);
        var decision = FqdnRules.Decide(client, null, parameters, enabled: true);
        Assert.Equal(replyName, decision.Response?.DomainName);
        Assert.Equal(hostname, decision.Hostname);
        if (clientName is null && replyName is not null)
        {
            // The made-up option asks the server to update.
            Assert.True(decision.Response!.ServerUpdates);
            Assert.True(decision.Forward);
        }
    }

    [Fact]
    public void WithoutAnOptionAndUpdatesOffNothingIsFabricated() =>
        Assert.Null(FqdnRules.Decide(null, null, Defaults with { ReplaceClientName = DdnsReplaceClientName.Always }, enabled: false).Response);

    [Fact]
    public void ReservationHostnameWinsAndIsQualified()
    {
        var parameters = Defaults with { QualifyingSuffix = "example.org.", ReplaceClientName = DdnsReplaceClientName.Always };
        var decision = FqdnRules.Decide(new ClientFqdnOption(ClientFqdnOption.FlagS, "laptop", true), "Reserved", parameters, enabled: true);
        Assert.Equal("reserved.example.org", decision.Response!.DomainName);
        Assert.False(decision.Response.IsPartialName);
        Assert.Equal("reserved.example.org.", decision.Hostname);
    }

    [Fact]
    public void WithoutAnOptionTheReservationNameIsStoredAsGiven() =>
        Assert.Equal("Reserved", FqdnRules.Decide(null, "Reserved", Defaults, enabled: true).Hostname);

    [Fact]
    public void FullNamesAreLowerCasedAndNotQualified()
    {
        var decision = FqdnRules.Decide(new ClientFqdnOption(ClientFqdnOption.FlagS, "Host.Other.NET", false), null, Defaults with { QualifyingSuffix = "example.com" }, true);
        Assert.Equal("host.other.net.", decision.Hostname);
    }

    [Fact]
    public void PartialNameWithoutSuffixIsJustMadeFull() =>
        Assert.Equal("host1.", FqdnRules.Decide(new ClientFqdnOption(0, "host1", true), null, Defaults, true).Hostname);

    [Theory]
    [InlineData("[^A-Za-z0-9.-]", "", "my_host!", "myhost.")]
    [InlineData("[^A-Za-z0-9.-]", "x", "my_host", "myxhost.")]
    [InlineData("[^a-z]", "", "ab1.cd2", "ab.cd.")]
    [InlineData("", "", "my_host", "my_host.")]
    [InlineData("[^[:alnum:]-]", "", "my_host-1", "myhost-1.")]
    [InlineData("[[:digit:]]", "x", "a1b2", "axbx.")]
    public void SanitiserReplacesLabelByLabel(string charSet, string replacement, string name, string expected)
    {
        var parameters = Defaults with { HostnameCharSet = charSet, HostnameCharReplacement = replacement };
        Assert.Equal(expected, FqdnRules.Decide(new ClientFqdnOption(ClientFqdnOption.FlagS, name, true), null, parameters, true).Hostname);
    }

    [Theory]
    [InlineData("___")]
    [InlineData("a.___.b")]
    public void NameScrubbedToNothingAbandonsFqdnProcessing(string name)
    {
        var decision = FqdnRules.Decide(new ClientFqdnOption(ClientFqdnOption.FlagS, name, true), null, Defaults, true);
        Assert.Null(decision.Response);
        Assert.Equal("", decision.Hostname);
        Assert.False(decision.Forward || decision.Reverse);
    }

    [Theory]
    [InlineData("2001:db8:1::104", "", "myhost-2001-db8-1--104.")]
    [InlineData("2001:db8:1::104", "example.com", "myhost-2001-db8-1--104.example.com.")]
    [InlineData("2001:db8:1::", "", "myhost-2001-db8-1--0.")]
    public void GeneratedNameComesFromTheAddress(string address, string suffix, string expected) =>
        Assert.Equal(expected, FqdnRules.Generate(Ipv6Address.Parse(address), Defaults with { QualifyingSuffix = suffix }));
}
