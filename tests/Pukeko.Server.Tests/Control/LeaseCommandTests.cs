using System.Text.Json.Nodes;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Control;

using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class LeaseCommandTests
{
    private const string Add = """{"command": "lease6-add", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::11", "duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1234, "hw-address": "1a:2b:3c:4d:5e:6f", "preferred-lft": 500, "valid-lft": 11111, "fqdn-fwd": true, "fqdn-rev": true, "hostname": "Urania.Example.org", "user-context": {"k": [1, "two"]}} }""";

    [Fact]
    public async Task Add_then_get_by_address_returns_keas_lease_map()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync(Add), ControlResult.Success, "Lease for address 2001:db8:1::11, subnet-id 1 added.");
        var lease = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync("""{"command": "lease6-get", "arguments": {"ip-address": "2001:db8:1::11"}}"""), ControlResult.Success, "IPv6 lease found."));
        lease.Remove("cltt");
        var expected = JsonNode.Parse("""
            {"duid": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "fqdn-fwd": true, "fqdn-rev": true, "hostname": "urania.example.org",
             "hw-address": "1a:2b:3c:4d:5e:6f", "iaid": 1234, "ip-address": "2001:db8:1::11", "preferred-lft": 500, "state": 0,
             "subnet-id": 1, "type": "IA_NA", "user-context": {"k": [1, "two"]}, "valid-lft": 11111}
            """);
        Assert.True(JsonNode.DeepEquals(expected, lease), lease.ToJsonString());
        Assert.Equal(1, server.Server.Statistics.Value("subnet[1].assigned-nas"));
        Assert.Equal(1, server.Server.Statistics.Value("subnet[1].pool[0].assigned-nas"));
    }

    [Fact]
    public async Task Added_lease_is_on_disk_and_blocks_the_address_for_other_clients()
    {
        await using var server = await ControlTestServer.StartAsync(ControlTestServer.DefaultDhcp6(pool: "2001:db8:1::11-2001:db8:1::11"));
        await server.CommandAsync(Add);
        Assert.Contains("2001:db8:1::11,1a:1b:1c:1d:1e:1f:20:21:22:23:24,11111", File.ReadAllText(Path.Combine(server.Environment.DataDirectory, "leases.csv")), StringComparison.Ordinal);
        var reply = server.Solicit();
        Assert.Null(Support.ClientMessages.AddressOf(reply!));
    }

    [Fact]
    public async Task An_added_user_context_is_written_to_the_lease_file_as_kea_writes_it()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync("""
            {"command": "lease6-add", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::11", "duid": "1a:1b:1c", "iaid": 1,
             "user-context": {"z": 1, "a": {"y": "x,y", "b": true, "l": []}, "ISC": {"relay-info": [{"peer": "fe80::1", "hop": 0}]}}}}
            """), ControlResult.Success);

        // Kea's Element::str(): keys in order, a space inside brackets and after each separator; commas escaped in the CSV.
        var expected = """{ "ISC": { "relay-info": [ { "hop": 0, "peer": "fe80::1" } ] }, "a": { "b": true, "l": [  ], "y": "x,y" }, "z": 1 }""";
        Assert.Equal(expected, server.Server.Leases!.Get(Ipv6Address.Parse("2001:db8:1::11"))!.UserContext);
        Assert.Contains("," + expected.Replace(",", "&#x2c", StringComparison.Ordinal) + ",", File.ReadAllText(Path.Combine(server.Environment.DataDirectory, "leases.csv")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"command": "lease6-add"}""", 1, "no parameters specified for the command")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "xxx"}}""", 1, "Failed to convert 'xxx' to address: Failed to convert string to address 'xxx': Invalid argument")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "xxx"}}""", 1, "'xxx' is not a valid string of hexadecimal digits")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": " "}}""", 1, "two consecutive separators (' ') specified in a decoded string ' '")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:2::1", "duid": "1a:1b:1c"}}""", 4, "subnet-id not specified and failed to find a subnet for address 2001:db8:2::1")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 2}}""", 4, "Invalid subnet-id: No IPv6 subnet with subnet-id=2 currently configured.")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:2::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1}}""", 4, "The address 2001:db8:2::1 does not belong to subnet 2001:db8:1::/64, subnet-id=1")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1, "hw-address": "1234"}}""", 1, "invalid format of the decoded string '1234'")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1, "hw-address": " "}}""", 1, "' ' is not a valid hexadecimal digit in decoded string ' '")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1, "fqdn-fwd": true}}""", 1, "No hostname specified and either forward or reverse fqdn was set to true.")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1, "state": 8}}""", 1, "Invalid state value: 8, supported values are: 0 (default), 1 (declined), 2 (expired-reclaimed), 3 (released) and 4 (registered)")]
    [InlineData("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::1", "duid": "1a:1b:1c", "subnet-id": 1, "iaid": 1, "user-context": true}}""", 1, "Invalid user context 'true' is not a JSON map.")]
    [InlineData("""{"command": "lease6-get"}""", 1, "Parameters missing or are not a map.")]
    [InlineData("""{"command": "lease6-get", "arguments": {}}""", 1, "Mandatory 'subnet-id' parameter missing.")]
    [InlineData("""{"command": "lease6-get", "arguments": {"ip-address": 2}}""", 1, "'ip-address' is not a string.")]
    [InlineData("""{"command": "lease6-del", "arguments": {"subnet-id": 1, "identifier-type": "xxx", "identifier": "00:01"}}""", 1, "Incorrect identifier type: xxx, the only supported values are: hw-address, duid, client-id")]
    [InlineData("""{"command": "lease6-del", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": ""}}""", 1, "Bad 'duid' identifier: identifier is too short (0), at least 3 is required")]
    [InlineData("""{"command": "lease6-get-by-duid", "arguments": {"duid": "0011"}}""", 1, "bad 'duid' parameter: identifier is too short (2), at least 3 is required")]
    [InlineData("""{"command": "lease6-get-by-hostname", "arguments": {"hostname": ""}}""", 1, "'hostname' parameter is empty")]
    [InlineData("""{"command": "lease6-get-page", "arguments": {"from": "x"}}""", 1, "'from' parameter value is neither 'start' keyword nor a valid IPv6 address")]
    [InlineData("""{"command": "lease6-get-page", "arguments": {"from": "start", "limit": 0}}""", 1, "'limit' parameter must not be 0.")]
    [InlineData("""{"command": "lease6-get-page", "arguments": {"from": "start", "limit": 4294967299}}""", 1, "'limit' parameter is not a 32 bit unsigned integer.")]
    [InlineData("""{"command": "lease6-get-all", "arguments": {"subnets": ["x"]}}""", 1, "listed subnet identifiers must be numbers")]
    [InlineData("""{"command": "lease6-get-by-state", "arguments": {"state": 9}}""", 3, "0 IPv6 lease(s) found with state 9.")]
    [InlineData("""{"command": "lease6-get-by-state", "arguments": {"state": 4294967296}}""", 3, "0 IPv6 lease(s) found with state default (0).")]
    [InlineData("""{"command": "lease6-write", "arguments": {"filename": ""}}""", 1, "'filename' parameter is invalid: path: '' has no filename")]
    [InlineData("""{"command": "lease4-get-by-state", "arguments": {"state": "released", "subnet-id": 1}}""", 3, "0 IPv4 lease(s) found with state \"released\".")]
    [InlineData("""{"command": "lease4-get-all"}""", 3, "0 IPv4 lease(s) found.")]
    public async Task Errors_use_keas_result_codes_and_texts(string command, int result, string text)
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync(command), result, text);
    }

    [Fact]
    public async Task Adding_twice_is_a_conflict()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        ControlAssert.Result(await server.CommandAsync(Add), ControlResult.Conflict, "IPv6 lease already exists.");
        Assert.Equal(1, server.Server.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public async Task Get_and_delete_by_duid_and_iaid()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        const string byClient = """{"subnet-id": 1, "identifier-type": "duid", "identifier": "1a:1b:1c:1d:1e:1f:20:21:22:23:24", "iaid": 1234}""";
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-get", "arguments": {{byClient}} }"""), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-del", "arguments": {{byClient}} }"""), ControlResult.Success, "IPv6 lease deleted.");
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-get", "arguments": {{byClient}} }"""), ControlResult.Empty, "Lease not found.");
        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-del", "arguments": {{byClient}} }"""), ControlResult.Empty, "IPv6 lease not found.");
        Assert.Equal(0, server.Server.Statistics.Value("subnet[1].assigned-nas"));
    }

    [Fact]
    public async Task Update_replaces_the_lease_and_force_create_adds_a_missing_one()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-update", "arguments": {"ip-address": "2001:db8:1::11", "duid": "01:02:03:04", "iaid": 7, "valid-lft": 1000}}"""), ControlResult.Success, "IPv6 lease updated.");
        var lease = server.Server.Leases!.Get(Ipv6Address.Parse("2001:db8:1::11"))!;
        Assert.Equal(7u, lease.Iaid);
        Assert.Equal("", lease.Hostname);
        Assert.Null(lease.UserContext);

        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-update", "arguments": {"ip-address": "2001:db8:1::12", "duid": "01:02:03:04", "iaid": 7}}"""), ControlResult.Empty);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-update", "arguments": {"ip-address": "2001:db8:1::12", "duid": "01:02:03:04", "iaid": 7, "force-create": true}}"""), ControlResult.Success, "IPv6 lease added.");
        Assert.Equal(2, server.Server.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public async Task Get_all_page_by_duid_and_hostname()
    {
        await using var server = await ControlTestServer.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::{{20 - i}}", "duid": "0a:0b:0{{i}}", "iaid": {{i}}, "hostname": "h{{i % 2}}.example.org"} }"""), ControlResult.Success);
        }

        Assert.Equal(7, ControlAssert.Args(await server.CommandAsync("""{"command": "lease6-get-all"}"""))["leases"]!.AsArray().Count);
        Assert.Equal(7, ControlAssert.Args(await server.CommandAsync("""{"command": "lease6-get-all", "arguments": {"subnets": [1, 9]}}"""))["leases"]!.AsArray().Count);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-get-all", "arguments": {"subnets": [9]}}"""), ControlResult.Empty, "0 IPv6 lease(s) found.");

        var seen = new List<string>();
        var from = "start";
        while (true)
        {
            var page = await server.CommandAsync($$"""{"command": "lease6-get-page", "arguments": {"from": "{{from}}", "limit": 3} }""");
            var args = ControlAssert.Args(page);
            if (args["count"]!.GetValue<int>() == 0)
            {
                ControlAssert.Result(page, ControlResult.Empty);
                break;
            }

            foreach (var lease in args["leases"]!.AsArray())
            {
                seen.Add(lease!["ip-address"]!.GetValue<string>());
            }

            from = seen[^1];
        }

        Assert.Equal(["2001:db8:1::14", "2001:db8:1::15", "2001:db8:1::16", "2001:db8:1::17", "2001:db8:1::18", "2001:db8:1::19", "2001:db8:1::20"], seen);
        var byDuid = ControlAssert.Args(await server.CommandAsync("""{"command": "lease6-get-by-duid", "arguments": {"duid": "0a:0b:03"}}"""))["leases"]!.AsArray();
        Assert.Equal("2001:db8:1::17", Assert.Single(byDuid)!["ip-address"]!.GetValue<string>());
        var byHost = ControlAssert.Args(await server.CommandAsync("""{"command": "lease6-get-by-hostname", "arguments": {"hostname": "H1.example.ORG"}}"""))["leases"]!.AsArray();
        Assert.Equal(3, byHost.Count);
    }

    [Fact]
    public async Task Wipe_deletes_a_subnets_leases_and_reports_none_left_with_result_3()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-wipe", "arguments": {"subnet-id": 1}}"""), ControlResult.Success, "Deleted 1 IPv6 lease(s) from subnet(s) 1");
        ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-wipe"}"""), ControlResult.Empty, "Deleted 0 IPv6 lease(s) from subnet(s) 1");
        Assert.Equal(0, server.Server.Leases!.Count);
    }

    [Fact]
    public async Task Bulk_apply_adds_updates_deletes_and_lists_failures()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        var answer = await server.CommandAsync("""
            {"command": "lease6-bulk-apply", "arguments": {
              "deleted-leases": [{"ip-address": "2001:db8:1::11"}, {"ip-address": "2001:db8:1::99"}],
              "leases": [{"ip-address": "2001:db8:1::12", "duid": "01:02:03", "iaid": 1, "state": 1},
                         {"ip-address": "2001:db8:9::1", "duid": "01:02:03", "iaid": 1}]}}
            """);
        ControlAssert.Result(answer, ControlResult.Success, "Bulk apply of 2 IPv6 leases completed.");
        var args = ControlAssert.Args(answer);
        Assert.Equal("2001:db8:1::99", Assert.Single(args["failed-deleted-leases"]!.AsArray())!["ip-address"]!.GetValue<string>());
        var failed = Assert.Single(args["failed-leases"]!.AsArray())!;
        Assert.Equal(ControlResult.Conflict, failed["result"]!.GetValue<int>());
        Assert.Equal(1, server.Server.Statistics.Value("declined-addresses"));
        Assert.Equal(1, server.Server.Statistics.Value("assigned-nas")); // Kea counts a declined address as assigned too
    }

    [Fact]
    public async Task Get_by_state_and_hw_address()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        await server.CommandAsync("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::12", "duid": "01:02:03", "iaid": 1, "state": 3}}""");
        var released = ControlAssert.Result(await server.CommandAsync("""{"command": "lease6-get-by-state", "arguments": {"state": "released"}}"""), ControlResult.Success, "1 IPv6 lease(s) found with state released (3).");
        Assert.Equal("2001:db8:1::12", ControlAssert.Args(released)["leases"]![0]!["ip-address"]!.GetValue<string>());
        var byHw = ControlAssert.Args(await server.CommandAsync("""{"command": "lease6-get-by-hw-address", "arguments": {"hw-address": "1a:2b:3c:4d:5e:6f"}}"""))["leases"]!.AsArray();
        Assert.Single(byHw);
    }

    [Fact]
    public async Task Write_dumps_the_leases_with_mode_0640_keeps_a_backup_and_stays_in_the_data_directory()
    {
        await using var server = await ControlTestServer.StartAsync();
        await server.CommandAsync(Add);
        var live = Path.Combine(server.Environment.DataDirectory, "leases.csv");
        File.WriteAllText(live, "Empty_File\n");

        ControlAssert.Result(await server.CommandAsync($$"""{"command": "lease6-write", "arguments": {"filename": "{{live}}"} }"""), ControlResult.Success, $"IPv6 lease database into '{live}'.");

        Assert.Contains("2001:db8:1::11,", File.ReadAllText(live), StringComparison.Ordinal);
        Assert.Equal("Empty_File\n", File.ReadAllText($"{live}.bak{Environment.ProcessId}"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, ControlAssert.ModeOf(live));

        // The store keeps appending to the rewritten live file.
        await server.CommandAsync("""{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::13", "duid": "01:02:03", "iaid": 1}}""");
        Assert.Contains("2001:db8:1::13,", File.ReadAllText(live), StringComparison.Ordinal);

        var outside = await server.CommandAsync("""{"command": "lease6-write", "arguments": {"filename": "/tmp/kealeases.csv"}}""");
        ControlAssert.Result(outside, ControlResult.Error);
        Assert.StartsWith("'filename' parameter is invalid: invalid path specified", outside["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
