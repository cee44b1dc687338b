using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Control;

namespace Pukeko.Server.Tests.Control;

/// <summary>Kea's stat_cmds <c>stat-lease6-get</c>, built in: result sets per subnet, Kea's argument rules and texts.</summary>
public sealed class StatLeaseCommandTests
{
    /// <summary>Three subnets (ids 1, 5, 9): 16 addresses each, subnet 5 also delegates 256 /64s out of a /56.</summary>
    private static JsonObject ThreeSubnets(bool kea3 = true)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"] = JsonNode.Parse("""
            [
              { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::1f" } ] },
              { "id": 5, "subnet": "2001:db8:5::/48", "pools": [ { "pool": "2001:db8:5::10-2001:db8:5::1f" } ],
                "pd-pools": [ { "prefix": "2001:db8:5:100::", "prefix-len": 56, "delegated-len": 64 } ] },
              { "id": 9, "subnet": "2001:db8:9::/64", "pools": [ { "pool": "2001:db8:9::10-2001:db8:9::1f" } ] }
            ]
            """);
        if (!kea3)
        {
            // Kea 2.2's spelling of the control socket: the file is not in Kea 3.x's style.
            dhcp6.Remove("control-sockets");
        }

        return dhcp6;
    }

    private static string Add(uint subnet, string address, int state = 0, string type = "IA_NA", int prefixLength = 128) => string.Create(CultureInfo.InvariantCulture, $$"""
        {"command": "lease6-add", "arguments": {"subnet-id": {{subnet}}, "ip-address": "{{address}}", "type": "{{type}}", "prefix-len": {{prefixLength}},
          "duid": "01:02:03:04:{{address.Sum(c => c) & 0xff:x2}}", "iaid": {{address.Length}}, "valid-lft": 4000, "state": {{state}} } }
        """);

    private static async Task<(List<string> Columns, List<long[]> Rows, JsonObject Answer)> StatAsync(ControlTestServer server, string? arguments = null)
    {
        var answer = await server.CommandAsync(arguments is null
            ? """{"command": "stat-lease6-get"}"""
            : $$"""{"command": "stat-lease6-get", "arguments": {{arguments}} }""");
        var set = ControlAssert.Args(answer)["result-set"]!;
        var columns = set["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var rows = set["rows"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<long>()).ToArray()).ToList();
        Assert.True(DateTime.TryParseExact(set["timestamp"]!.GetValue<string>(), "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        return (columns, rows, answer);
    }

    private static async Task AddLeasesAsync(ControlTestServer server)
    {
        ControlAssert.Result(await server.CommandAsync(Add(1, "2001:db8:1::10")), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(1, "2001:db8:1::11")), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(1, "2001:db8:1::12", state: 1)), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(1, "2001:db8:1::13", state: 2)), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(5, "2001:db8:5::10")), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(5, "2001:db8:5:100::", type: "IA_PD", prefixLength: 64)), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add(5, "2001:db8:5:101::", type: "IA_PD", prefixLength: 64)), ControlResult.Success);
    }

    [Fact]
    public async Task Every_subnet_gets_a_row_of_totals_and_lease_counts_in_kea_22s_columns()
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets(kea3: false));
        await AddLeasesAsync(server);

        var (columns, rows, answer) = await StatAsync(server);
        ControlAssert.Result(answer, ControlResult.Success, "stat-lease6-get[all subnets]: 3 rows found");
        Assert.Equal(["subnet-id", "total-nas", "cumulative-assigned-nas", "assigned-nas", "declined-nas", "total-pds", "cumulative-assigned-pds", "assigned-pds"], columns);

        // Subnet 1: two assigned, one declined (not counted as assigned in 2.2), one reclaimed (not counted at all).
        Assert.Equal([1, 16, 0, 2, 1, 0, 0, 0], rows[0]);
        Assert.Equal([5, 16, 0, 1, 0, 256, 0, 2], rows[1]);
        Assert.Equal([9, 16, 0, 0, 0, 0, 0, 0], rows[2]);
    }

    [Fact]
    public async Task A_kea_3_file_gets_declined_addresses_counted_in_assigned_as_kea_24_and_later_do()
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets(kea3: true));
        await AddLeasesAsync(server);

        var (columns, rows, _) = await StatAsync(server, """{ "subnet-id": 1 }""");
        Assert.Equal("declined-addresses", columns[4]);
        Assert.Equal([1, 16, 0, 3, 1, 0, 0, 0], Assert.Single(rows));
    }

    [Fact]
    public async Task Cumulative_counts_come_from_the_servers_statistics()
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets());
        server.Server.Statistics.Add("subnet[9].cumulative-assigned-nas", 7);
        var (_, rows, answer) = await StatAsync(server, """{ "subnet-range": { "first-subnet-id": 2, "last-subnet-id": 9 } }""");
        ControlAssert.Result(answer, ControlResult.Success, "stat-lease6-get[subnets 2 through 9]: 2 rows found");
        Assert.Equal([5, 9], rows.Select(r => r[0]));
        Assert.Equal(7, rows[1][2]);
    }

    [Theory]
    [InlineData("""{ "subnet-id": 4 }""", "stat-lease6-get[subnet-id=4]: no matching data, subnet-id: 4 does not exist")]
    [InlineData("""{ "subnet-range": { "first-subnet-id": 10, "last-subnet-id": 20 } }""", "stat-lease6-get[subnets 10 through 20]: no matching data, selected ID range: 10 through 20 includes no known subnets")]
    public async Task Selecting_no_configured_subnet_is_an_empty_answer_with_keas_text(string arguments, string text)
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets());
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "stat-lease6-get", "arguments": {{arguments}} }"""), ControlResult.Empty, text);
    }

    [Theory]
    [InlineData("""{ "subnet-id": "1" }""", "'subnet-id' parameter is not integer")]
    [InlineData("""{ "subnet-id": 1.0 }""", "'subnet-id' parameter is not integer")]
    [InlineData("""{ "subnet-id": 0 }""", "'subnet-id' parameter must be > 0")]
    [InlineData("""{ "subnet-id": 1, "subnet-range": { "first-subnet-id": 1, "last-subnet-id": 2 } }""", "cannot specify both subnet-id and subnet-range")]
    [InlineData("""{ "subnet-range": 5 }""", "subnet-range parameter is not a map")]
    [InlineData("""{ "subnet-range": { "last-subnet-id": 2 } }""", "'first-subnet-id' parameter missing or not an integer")]
    [InlineData("""{ "subnet-range": { "first-subnet-id": -1, "last-subnet-id": 2 } }""", "'first-subnet-id' parameter must be > 0")]
    [InlineData("""{ "subnet-range": { "first-subnet-id": 1, "last-subnet-id": true } }""", "'last-subnet-id' parameter missing or not an integer")]
    [InlineData("""{ "subnet-range": { "first-subnet-id": 3, "last-subnet-id": 2 } }""", "'last-subnet-id' must be greater than 'first-subnet-id'")]
    public async Task Bad_arguments_are_refused_with_keas_reasons(string arguments, string reason)
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets());
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "stat-lease6-get", "arguments": {{arguments}} }"""), ControlResult.Error, reason);
    }

    [Fact]
    public async Task Stat_lease4_get_finds_no_ipv4_subnets_in_a_dhcpv6_server()
    {
        await using var server = await ControlTestServer.StartAsync(ThreeSubnets());
        ControlAssert.Result(await server.CommandAsync("""{"command": "stat-lease4-get"}"""), ControlResult.Empty,
            "stat-lease4-get[all subnets]: no matching data, selected ID range: 0 through 0 includes no known subnets");
    }
}
