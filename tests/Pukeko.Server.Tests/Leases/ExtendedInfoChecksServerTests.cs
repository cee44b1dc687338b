using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Control;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// <c>sanity-checks.extended-info-checks</c> from the configuration to the two places Kea applies it: the memfile
/// lease file as it loads, and the leases lease6-add, lease6-update and lease6-bulk-apply bring.
/// </summary>
public sealed class ExtendedInfoChecksServerTests
{
    private const string KeepsOtherKeys = """{ "k": 1, "ISC": { "relay-info": [ { "hop": 0, "peer": "fe80::1" } ] } }""";

    private const string NoHop = """{ "ISC": { "relay-info": [ { "link": "2001:db8:1::1", "peer": "fe80::1" } ] } }""";

    private const string NotAList = """{ "ISC": { "relay-info": "broken" }, "k": 2 }""";

    /// <summary>The same four contexts on both paths: address → context brought.</summary>
    private static readonly (string Address, string Context)[] Brought =
    [
        ("2001:db8:1::10", LeaseExtendedInfoSanityTests.Kea22Context),
        ("2001:db8:1::11", KeepsOtherKeys),
        ("2001:db8:1::12", NoHop),
        ("2001:db8:1::13", NotAList),
    ];

    /// <summary>Level (null: the key left out, Kea's default fix) → the contexts kept, in <see cref="Brought"/>'s order, and how many changed.</summary>
    public static TheoryData<string?, string?[], int> Levels => new()
    {
        { "none", [LeaseExtendedInfoSanityTests.Kea22Context, KeepsOtherKeys, NoHop, NotAList], 0 },
        { null, [LeaseExtendedInfoSanityTests.UpgradedContext, KeepsOtherKeys, NoHop, """{ "k": 2 }"""], 2 },
        { "fix", [LeaseExtendedInfoSanityTests.UpgradedContext, KeepsOtherKeys, NoHop, """{ "k": 2 }"""], 2 },
        { "strict", [LeaseExtendedInfoSanityTests.UpgradedContext, """{ "k": 1 }""", NoHop, """{ "k": 2 }"""], 3 },
        { "pedantic", [LeaseExtendedInfoSanityTests.UpgradedContext, """{ "k": 1 }""", null, """{ "k": 2 }"""], 4 },
    };

    private static JsonObject Config(string? level)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6(pool: "2001:db8:1::100-2001:db8:1::1ff");
        if (level is not null)
        {
            dhcp6["sanity-checks"] = new JsonObject { ["extended-info-checks"] = level };
        }

        return dhcp6;
    }

    private static void AssertKept(ControlTestServer server, string?[] expected, int upTo = int.MaxValue)
    {
        for (var i = 0; i < Math.Min(upTo, Brought.Length); i++)
        {
            var lease = server.Server.Leases!.Get(Ipv6Address.Parse(Brought[i].Address));
            Assert.NotNull(lease);
            var actual = lease.UserContext;
            if (expected[i] is null)
            {
                Assert.Null(actual);
            }
            else
            {
                Assert.NotNull(actual);
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i]!), JsonNode.Parse(actual)), $"{Brought[i].Address}: {actual}");
            }
        }
    }

    private static int Failures(CapturingLoggers loggers) =>
        loggers.Entries.Count(e => e.EventName == "DHCPSRV_LEASE6_EXTENDED_INFO_SANITY_FAIL" && e.Category == "kea-dhcp6.dhcpsrv" && e.Level == LogLevel.Error);

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Leases_loaded_from_the_lease_file_are_checked_in_memory(string? level, string?[] expected, int modified)
    {
        var expire = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 100_000;
        var rows = Brought.Select(b => $"{b.Address},00:01:02:03,100000,{expire},1,50000,0,1,128,0,0,,,0,{LeaseCsvEscaping.Escape(b.Context)},0,0,0");
        var loggers = new CapturingLoggers();
        await using var server = await ControlTestServer.StartAsync(
            Config(level),
            prepare: root => root.Write("data/leases.csv", string.Join('\n', [LeaseSamples.Header, .. rows]) + "\n"),
            loggers: loggers);

        AssertKept(server, expected);
        var summary = Assert.Single(loggers.Entries, e => e.EventName == "DHCPSRV_MEMFILE_BUILD_EXTENDED_INFO_TABLES6");
        Assert.Contains($"looked at 4 loaded leases and changed {modified} of them", summary.Message, StringComparison.Ordinal);
        Assert.Equal(modified == 0 ? 0 : modified - 1, Failures(loggers));

        // As in Kea the repair is made in memory only: the file keeps the rows as they were until a lease is written.
        Assert.Contains("\"relays\"", File.ReadAllText(Path.Combine(server.Environment.DataDirectory, "leases.csv")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Leases_brought_by_commands_are_checked_before_they_are_stored(string? level, string?[] expected, int modified)
    {
        var loggers = new CapturingLoggers();
        await using var server = await ControlTestServer.StartAsync(Config(level), loggers: loggers);

        string Lease(int i, string extra = "") => $$"""{"ip-address": "{{Brought[i].Address}}", "duid": "01:02:03", "iaid": 1{{extra}}, "user-context": {{Brought[i].Context}}}""";
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-add", "arguments": {{Lease(0)}} }"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-update", "arguments": {{Lease(1, ", \"force-create\": true")}} }"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-bulk-apply", "arguments": {"leases": [{{Lease(2)}}, {{Lease(3)}}]} }"""), ControlResult.Success);

        AssertKept(server, expected);
        Assert.Equal(modified == 0 ? 0 : modified - 1, Failures(loggers));
        Assert.Equal(modified == 0 ? 0 : 1, loggers.Entries.Count(e => e.EventName == "DHCPSRV_LEASE6_EXTENDED_INFO_UPGRADED"));

        // What is stored is what the file gets.
        var file = File.ReadAllText(Path.Combine(server.Environment.DataDirectory, "leases.csv"));
        Assert.Equal(level == "none", file.Contains("\"relays\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lease_updated_by_command_replaces_an_old_form_with_the_checked_one()
    {
        await using var server = await ControlTestServer.StartAsync(Config("fix"));
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::20", "duid": "01:02:03", "iaid": 1}}"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-update", "arguments": {"ip-address": "2001:db8:1::20", "duid": "01:02:03", "iaid": 1, "user-context": {{LeaseExtendedInfoSanityTests.Kea22Context}}} }"""), ControlResult.Success);
        var lease = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync("""{"command": "lease6-get", "arguments": {"ip-address": "2001:db8:1::20"}}"""), ControlResult.Success));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(LeaseExtendedInfoSanityTests.UpgradedContext), lease["user-context"]), lease.ToJsonString());
    }

    [Fact]
    public async Task Extended_info6_upgrade_exists_with_lease_query_and_on_memfile_upgrades_nothing_as_in_kea()
    {
        var without = Config("fix");
        await using (var server = await ControlTestServer.StartAsync(without))
        {
            ControlAssert.Result(await server.CommandAsync("""{"command": "extended-info6-upgrade"}"""), ControlResult.Unsupported);
        }

        var with = Config("fix");
        with["hooks-libraries"] = JsonNode.Parse("""[ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_query.so", "parameters": { "requesters": [ "2001:db8:1::1" ] } } ]""");
        var expire = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 100_000;
        var row = $"2001:db8:1::10,00:01:02:03,100000,{expire},1,50000,0,1,128,0,0,,,0,{LeaseCsvEscaping.Escape(LeaseExtendedInfoSanityTests.Kea22Context)},0,0,0";
        await using (var server = await ControlTestServer.StartAsync(with, prepare: root => root.Write("data/leases.csv", $"{LeaseSamples.Header}\n{row}\n")))
        {
            // Memfile checked the lease as it loaded (Kea's memfile answers 0 for the same reason).
            var answer = await server.CommandAsync("""{"command": "extended-info6-upgrade"}""");
            ControlAssert.Result(answer, ControlResult.Success, "Upgraded 0 leases");
            AssertKept(server, [LeaseExtendedInfoSanityTests.UpgradedContext, null, null, null], upTo: 1);
        }
    }
}
