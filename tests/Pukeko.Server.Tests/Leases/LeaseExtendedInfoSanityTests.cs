using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Hooks;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// <c>sanity-checks.extended-info-checks</c> on one user context, level by level, as Kea's
/// <c>upgradeLease6ExtendedInfo</c> treats it.
/// </summary>
public sealed class LeaseExtendedInfoSanityTests
{
    /// <summary>Interface-ID "eth0", a Remote-ID (enterprise 3561) and a Relay-ID, packed in code order as Kea stores them.</summary>
    internal const string Options = "0x0012000465746830" + "0025000A00000DE9010203040506" + "0035000A000300010A0B0C0D0E0F";

    internal const string RemoteId = "00000DE9010203040506";

    internal const string RelayId = "000300010A0B0C0D0E0F";

    /// <summary>A context as Kea 2.2's store-extended-info wrote it.</summary>
    internal const string Kea22Context = $$"""{ "ISC": { "relays": [ { "hop": 0, "link": "2001:db8:1::1", "options": "{{Options}}", "peer": "fe80::1" } ] } }""";

    /// <summary>What <see cref="Kea22Context"/> becomes on upgrade.</summary>
    internal const string UpgradedContext = $$"""{ "ISC": { "relay-info": [ { "hop": 0, "link": "2001:db8:1::1", "options": "{{Options}}", "peer": "fe80::1", "relay-id": "{{RelayId}}", "remote-id": "{{RemoteId}}" } ] } }""";

    private static readonly Ipv6Address Address = Ipv6Address.Parse("2001:db8:1::10");

    private sealed record Outcome(bool Changed, string? Context, IReadOnlyList<(string EventName, string Category, LogLevel Level, string Message)> Log)
    {
        public bool Upgraded => Log.Any(e => e.EventName == "DHCPSRV_LEASE6_EXTENDED_INFO_UPGRADED");

        public string? Failure => Log.SingleOrDefault(e => e.EventName == "DHCPSRV_LEASE6_EXTENDED_INFO_SANITY_FAIL").Message;
    }

    private static Outcome Check(string? context, ExtendedInfoSanityMode mode)
    {
        var loggers = new CapturingLoggers();
        var changed = LeaseExtendedInfoSanity.Apply(ref context, mode, Address, loggers.CreateLogger("kea-dhcp6.dhcpsrv"));
        return new Outcome(changed, context, loggers.Entries);
    }

    private static void AssertJson(string? expected, string? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), actual);
    }

    /// <summary>A relay-info context with one relay map (its text inside the braces).</summary>
    private static string RelayInfo(string relay, string around = "") =>
        $$"""{ {{around}} "ISC": { "relay-info": [ { {{relay}} } ] } }""";

    private const string FullRelay = $$"""
        "hop": 1, "link": "2001:db8:1::1", "peer": "fe80::1", "options": "{{Options}}", "remote-id": "{{RemoteId}}", "relay-id": "{{RelayId}}", "comment": "ok"
        """;

    [Theory]
    [InlineData((int)ExtendedInfoSanityMode.None)]
    [InlineData((int)ExtendedInfoSanityMode.Fix)]
    [InlineData((int)ExtendedInfoSanityMode.Strict)]
    [InlineData((int)ExtendedInfoSanityMode.Pedantic)]
    public void A_complete_relay_info_passes_every_level_unchanged(int mode)
    {
        var outcome = Check(RelayInfo(FullRelay), (ExtendedInfoSanityMode)mode);
        Assert.False(outcome.Changed);
        Assert.Empty(outcome.Log);
    }

    [Theory]
    [InlineData((int)ExtendedInfoSanityMode.Fix)]
    [InlineData((int)ExtendedInfoSanityMode.Strict)]
    [InlineData((int)ExtendedInfoSanityMode.Pedantic)]
    public void The_kea_2_2_form_is_upgraded_with_the_ids_its_options_hold(int mode)
    {
        var outcome = Check(Kea22Context, (ExtendedInfoSanityMode)mode);
        Assert.True(outcome.Changed);
        AssertJson(UpgradedContext, outcome.Context);
        Assert.True(outcome.Upgraded);
        Assert.Null(outcome.Failure);
        Assert.Contains(outcome.Log, e => e.Category == "kea-dhcp6.dhcpsrv" && e.Level == LogLevel.Debug && e.Message.Contains("2001:db8:1::10", StringComparison.Ordinal));
    }

    [Fact]
    public void None_leaves_the_kea_2_2_form_and_broken_contexts_alone()
    {
        foreach (var context in new[] { Kea22Context, """{ "ISC": 5 }""", "{ }", """{ "ISC": { "relay-info": "x" } }""" })
        {
            var outcome = Check(context, ExtendedInfoSanityMode.None);
            Assert.False(outcome.Changed);
            Assert.Equal(context, outcome.Context);
            Assert.Empty(outcome.Log);
        }
    }

    [Fact]
    public void The_upgrade_keeps_other_keys_and_takes_no_ids_from_relays_without_options()
    {
        var outcome = Check("""{ "k": 1, "ISC": { "x": true, "relays": [ { "hop": 0, "link": "::", "peer": "fe80::1" }, { "hop": 1, "link": "2001:db8::1", "peer": "fe80::2", "options": "0x0012000165" } ] } }""", ExtendedInfoSanityMode.Fix);
        AssertJson("""{ "k": 1, "ISC": { "x": true, "relay-info": [ { "hop": 0, "link": "::", "peer": "fe80::1" }, { "hop": 1, "link": "2001:db8::1", "peer": "fe80::2", "options": "0x0012000165" } ] } }""", outcome.Context);
        Assert.True(outcome.Upgraded);
    }

    [Fact]
    public void With_both_forms_the_old_one_is_dropped_and_the_new_one_kept()
    {
        var outcome = Check(RelayInfo(FullRelay).Replace("\"ISC\": {", """ "ISC": { "relays": [ 1 ], """, StringComparison.Ordinal), ExtendedInfoSanityMode.Fix);
        Assert.True(outcome.Changed);
        AssertJson(RelayInfo(FullRelay), outcome.Context);
        Assert.False(outcome.Upgraded);
        Assert.Null(outcome.Failure);
    }

    [Theory]
    [InlineData("{ }", null)]
    [InlineData("""{ "ISC": { } }""", null)]
    [InlineData("""{ "ISC": { }, "k": "v" }""", """{ "k": "v" }""")]
    public void Empty_maps_are_removed_quietly(string context, string? expected)
    {
        var outcome = Check(context, ExtendedInfoSanityMode.Fix);
        Assert.True(outcome.Changed);
        AssertJson(expected, outcome.Context);
        Assert.Empty(outcome.Log);
    }

    [Fact]
    public void A_context_without_isc_is_not_touched()
    {
        var outcome = Check("""{ "relay-info": "not ours", "n": [ 1 ] }""", ExtendedInfoSanityMode.Pedantic);
        Assert.False(outcome.Changed);
        Assert.Empty(outcome.Log);
    }

    [Theory]
    // The part that fails goes; what is left of the context stays.
    [InlineData("""{ "ISC": 5, "k": 1 }""", """{ "k": 1 }""", "in isc: ISC entry is not a map")]
    [InlineData("""{ "ISC": null }""", null, "ISC entry is not a map")]
    [InlineData("""{ "ISC": { "relay-info": "x", "y": 2 } }""", """{ "ISC": { "y": 2 } }""", "in relay-info: relay-info is not a list")]
    [InlineData("""{ "ISC": { "relay-info": [ ] }, "k": 1 }""", """{ "k": 1 }""", "relay-info is empty")]
    [InlineData("""{ "ISC": { "relay-info": [ 7 ] } }""", null, "in relay [relay#0]: relay#0 is not a map")]
    [InlineData("""{ "ISC": { "relay-info": [ { "options": 12 } ] } }""", null, "in options [relay#0]: options is not a string")]
    [InlineData("""{ "ISC": { "relay-info": [ { "options": "0xZZ" } ] } }""", null, "not a valid string of hexadecimal digits")]
    // A Remote-ID too short for its enterprise number cannot be read.
    [InlineData("""{ "ISC": { "relay-info": [ { "options": "0x002500020102" } ] } }""", null, "option 37")]
    [InlineData("""{ "ISC": { "relays": { } } }""", null, "in relays: relays is not a list")]
    [InlineData("""{ "ISC": { "relays": [ ], "z": 0 } }""", """{ "ISC": { "z": 0 } }""", "relays is empty")]
    [InlineData("""{ "ISC": { "relays": [ { }, "x" ] } }""", null, "in relay [relay#1]: relay#1 is not a map")]
    [InlineData("""{ "ISC": { "relays": [ { "options": "0x00250002AAAA" } ] } }""", null, "in options [relay#0]: option 37")]
    public void Fix_drops_what_cannot_be_read(string context, string? expected, string problem)
    {
        var outcome = Check(context, ExtendedInfoSanityMode.Fix);
        Assert.True(outcome.Changed);
        AssertJson(expected, outcome.Context);
        Assert.NotNull(outcome.Failure);
        Assert.Contains(problem, outcome.Failure, StringComparison.Ordinal);
        Assert.Contains("2001:db8:1::10", outcome.Failure, StringComparison.Ordinal);
        Assert.Contains(outcome.Log, e => e.Level == LogLevel.Error);
        Assert.False(outcome.Upgraded);
    }

    [Theory]
    // Fix reads only the list, its maps and their options.
    [InlineData("""{ "ISC": { "relay-info": [ { } ] } }""")]
    [InlineData("""{ "ISC": { "relay-info": [ { "link": 5, "remote-id": "", "relay-id": "xyz", "spurious": 1 } ] } }""")]
    // A truncated last option ends the options quietly, as Kea's unpacking does.
    [InlineData("""{ "ISC": { "relay-info": [ { "options": "0x0012000465746830002500" } ] } }""")]
    [InlineData("""{ "ISC": { "relay-info": [ { "options": "0x00120004657468300011000100" } ] } }""")]
    public void Fix_passes_what_only_stricter_levels_check(string context)
    {
        var outcome = Check(context, ExtendedInfoSanityMode.Fix);
        Assert.False(outcome.Changed);
        Assert.Equal(context, outcome.Context);
        Assert.Empty(outcome.Log);
    }

    [Theory]
    [InlineData("""{ "hop": 0 }""", "in link [relay#0]: no link")]
    [InlineData("""{ "link": [ ] }""", "link is not a string")]
    [InlineData("""{ "link": "192.0.2.1" }""", "link is not an IPv6 address")]
    [InlineData("""{ "link": "2001:db8::g" }""", "'2001:db8::g' is not an IP address")]
    [InlineData("""{ "link": "::", "remote-id": "" }""", "in remote-id [relay#0]: remote-id is empty")]
    [InlineData("""{ "link": "::", "remote-id": 1 }""", "remote-id is not a string")]
    [InlineData("""{ "link": "::", "remote-id": "0x0102" }""", "is not hex")]
    [InlineData("""{ "link": "::", "remote-id": "010" }""", "is not hex")]
    [InlineData("""{ "link": "::", "relay-id": " " }""", "relay-id is empty")]
    public void Strict_needs_an_ipv6_link_and_non_empty_hex_ids(string relay, string problem)
    {
        var context = $$"""{ "ISC": { "relay-info": [ {{relay}} ], "other": 1 } }""";
        var outcome = Check(context, ExtendedInfoSanityMode.Strict);
        AssertJson("""{ "ISC": { "other": 1 } }""", outcome.Context);
        Assert.Contains(problem, outcome.Failure, StringComparison.Ordinal);

        // Fix lets every one of them through.
        Assert.False(Check(context, ExtendedInfoSanityMode.Fix).Changed);
    }

    [Theory]
    [InlineData("""{ "link": "2001:db8::1" }""")]
    [InlineData("""{ "link": "2001:db8::1", "remote-id": "01 02\t03 04", "relay-id": "aBcD", "whatever": null }""")]
    public void Strict_does_not_ask_for_peer_hop_or_a_closed_key_set(string relay) =>
        Assert.False(Check($$"""{ "ISC": { "relay-info": [ {{relay}} ] } }""", ExtendedInfoSanityMode.Strict).Changed);

    [Fact]
    public void Strict_checks_the_link_of_an_upgraded_list_but_not_its_ids()
    {
        // Kea reads the ids of an upgraded list from its options only; ids already in a 2.2 map are not checked.
        var passes = Check("""{ "ISC": { "relays": [ { "link": "2001:db8::1", "remote-id": "" } ] } }""", ExtendedInfoSanityMode.Strict);
        AssertJson("""{ "ISC": { "relay-info": [ { "link": "2001:db8::1", "remote-id": "" } ] } }""", passes.Context);
        Assert.True(passes.Upgraded);

        var fails = Check("""{ "ISC": { "relays": [ { "peer": "fe80::1" } ] }, "k": 1 }""", ExtendedInfoSanityMode.Strict);
        AssertJson("""{ "k": 1 }""", fails.Context);
        Assert.False(fails.Upgraded);
        Assert.Contains("no link", fails.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "link": "::", "hop": 0 }""", "in peer [relay#0]: no peer")]
    [InlineData("""{ "link": "::", "peer": "10.0.0.1", "hop": 0 }""", "peer is not an IPv6 address")]
    [InlineData("""{ "link": "::", "peer": "::" }""", "in hop [relay#0]: no hop")]
    [InlineData("""{ "link": "::", "peer": "::", "hop": 1.0 }""", "hop is not an integer")]
    [InlineData("""{ "link": "::", "peer": "::", "hop": "1" }""", "hop is not an integer")]
    [InlineData("""{ "link": "::", "peer": "::", "hop": 0, "zeta": 1, "beta": 2 }""", "in relay-info [relay#0]: spurious 'beta' entry")]
    public void Pedantic_needs_peer_and_hop_and_only_keas_keys(string relay, string problem)
    {
        var context = $$"""{ "ISC": { "relay-info": [ {{relay}} ] } }""";
        var outcome = Check(context, ExtendedInfoSanityMode.Pedantic);
        Assert.Null(outcome.Context);
        Assert.Contains(problem, outcome.Failure, StringComparison.Ordinal);
        Assert.False(Check(context, ExtendedInfoSanityMode.Strict).Changed);
    }

    [Fact]
    public void Pedantic_names_the_old_form_when_an_upgraded_relay_has_a_stray_key()
    {
        var outcome = Check("""{ "ISC": { "relays": [ { "link": "::", "peer": "::", "hop": 0, "x": 1 } ] } }""", ExtendedInfoSanityMode.Pedantic);
        Assert.Null(outcome.Context);
        Assert.Contains("in relays [relay#0]: spurious 'x' entry", outcome.Failure, StringComparison.Ordinal);
        Assert.False(outcome.Upgraded);
    }

    [Fact]
    public void The_second_relay_is_checked_too()
    {
        var outcome = Check($$"""{ "ISC": { "relay-info": [ { {{FullRelay}} }, { "link": "::", "peer": "::" } ] } }""", ExtendedInfoSanityMode.Pedantic);
        Assert.Null(outcome.Context);
        Assert.Contains("[relay#1]: no hop", outcome.Failure, StringComparison.Ordinal);
    }
}
