using System.Text.Json.Nodes;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class HostCommandTests
{
    private static readonly string ClientDuid = ClientMessages.ClientDuid.ToString();

    /// <summary>Subnet 1 (2001:db8:1::/64) with one reservation, subnet 2 guarded by a class, host_cmds loaded.</summary>
    private static JsonObject Config(bool withLibrary = true)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        var subnets = (JsonArray)dhcp6["subnet6"]!;
        subnets[0]!["reservations"] = new JsonArray(new JsonObject { ["hw-address"] = "aa:bb:cc:dd:ee:ff", ["ip-addresses"] = new JsonArray("2001:db8:1::50"), ["hostname"] = "Printer.example.org" });
        subnets.Add(JsonNode.Parse("""{ "id": 2, "subnet": "2001:db8:2::/64", "client-classes": ["lab"], "pools": [ { "pool": "2001:db8:2::10-2001:db8:2::1f" } ] }"""));
        dhcp6["client-classes"] = JsonNode.Parse("""[ { "name": "lab" } ]""");
        if (withLibrary)
        {
            dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_host_cmds.so" } ]""");
        }

        return dhcp6;
    }

    private static string Add(string reservation, string extra = "") =>
        $$$"""{"command": "reservation-add", "arguments": {"reservation": {{{reservation}}} {{{extra}}} }}""";

    private static int Int(JsonNode node) => int.Parse(node.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonObject> ConfigGetDhcp6(ControlTestServer server) =>
        (JsonObject)ControlAssert.Args(await server.CommandAsync("""{"command": "config-get"}"""))["Dhcp6"]!;

    [Fact]
    public async Task Commands_exist_only_while_the_library_is_configured()
    {
        await using var server = await ControlTestServer.StartAsync(Config(withLibrary: false));
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-all", "arguments": {"subnet-id": 1}}"""), ControlResult.Unsupported, "'reservation-get-all' command not supported.");
        var list = (await server.CommandAsync("""{"command": "list-commands"}"""))["arguments"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.DoesNotContain("reservation-add", list);

        // Adding the library by config-set makes them appear, as loading it does in Kea.
        var next = new JsonObject { ["command"] = "config-set", ["arguments"] = new JsonObject { ["Dhcp6"] = Config() } };
        ControlAssert.Result(await server.CommandAsync(next.ToJsonString()), ControlResult.Success);
        list = (await server.CommandAsync("""{"command": "list-commands"}"""))["arguments"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("reservation-add", list);
        Assert.Contains("reservation-get-by-address", list);
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-all", "arguments": {"subnet-id": 1}}"""), ControlResult.Success, "1 IPv6 host(s) found.");
    }

    [Fact]
    public async Task An_added_reservation_is_given_to_the_client_and_is_in_config_get_and_config_write()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        Assert.Equal("2001:db8:1::10", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());

        var answer = await server.CommandAsync(Add($$"""{"subnet-id": 1, "duid": "{{ClientDuid}}", "ip-addresses": ["2001:db8:1::100"], "hostname": "client.example.org", "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ]}"""));

        ControlAssert.Result(answer, ControlResult.Success, "Host added.");
        var reply = server.Solicit();
        Assert.Equal(MessageType.Advertise, reply!.Type);
        Assert.Equal("2001:db8:1::100", ClientMessages.AddressOf(reply)!.Address.ToString());

        var reservations = (JsonArray)(await ConfigGetDhcp6(server))["subnet6"]![0]!["reservations"]!;
        Assert.Equal(2, reservations.Count);
        Assert.Equal(ClientDuid, reservations[1]!["duid"]!.GetValue<string>());
        Assert.Null(reservations[1]!["subnet-id"]);

        ControlAssert.Result(await server.CommandAsync("""{"command": "config-write", "arguments": {"filename": "written.json"}}"""), ControlResult.Success);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(server.ConfigFile)!, "written.json")))!;
        Assert.Equal("2001:db8:1::100", written["Dhcp6"]!["subnet6"]![0]!["reservations"]![1]!["ip-addresses"]![0]!.GetValue<string>());

        var host = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync($$$"""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "{{{ClientDuid.ToUpperInvariant()}}}"}}"""),
            ControlResult.Success,
            "Host found."));
        Assert.Equal(ClientDuid, host["duid"]!.GetValue<string>());
        Assert.Equal("2001:db8:1::100", host["ip-addresses"]![0]!.GetValue<string>());
        Assert.Empty(host["prefixes"]!.AsArray());
        Assert.Equal("client.example.org", host["hostname"]!.GetValue<string>());
        Assert.Equal("dns-servers", host["option-data"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1, Int(host["subnet-id"]!));
    }

    [Fact]
    public async Task Add_refuses_bad_reservations_with_kea_messages_and_changes_nothing()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var hash = server.Server.ConfigHash;

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-add", "arguments": {}}"""), ControlResult.Error, "reservation must be specified");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-add"}"""), ControlResult.Error, "no parameters specified for the command");
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 7, "duid": "01:02", "ip-addresses": ["2001:db8:7::1"]}""")), ControlResult.Error, "IPv6 subnet with ID of '7' is not configured");
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02", "ip-addresses": ["2001:db8:9::1"]}""")), ControlResult.Error, "specified reservation '2001:db8:9::1' is not matching the IPv6 subnet prefix '2001:db8:1::/64'");
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 1, "hw-address": "AA:BB:CC:DD:EE:FF"}""")), ControlResult.Error, "failed to add new host using the HW address 'aa:bb:cc:dd:ee:ff' to the IPv6 subnet id '1' as this host has already been added");
        ControlAssert.Result(await server.CommandAsync(Add("""{"duid": "01:02", "ip-addresses": ["2001:db8:1::99"]}""")), ControlResult.Error, "Mandatory 'subnet-id' parameter missing. Reserved IPv6 addresses belong to subnet '2001:db8:1::/64' id 1.");
        ControlAssert.Result(await server.CommandAsync(Add("""{"duid": "01:02", "ip-addresses": ["2001:db8:2::99"]}""")), ControlResult.Error, "Mandatory 'subnet-id' parameter missing. Reserved IPv6 addresses belong to guarded subnet '2001:db8:2::/64' id 2.");
        ControlAssert.Result(await server.CommandAsync(Add("""{"duid": "01:02", "prefixes": ["2001:db8:ff::/56"]}""")), ControlResult.Error, "Mandatory 'subnet-id' parameter missing. Prefixes are not attached to subnets so no hint is available.");
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02"}""", """, "operation-target": "database" """)), ControlResult.Error, "Host database not available, cannot add host.");
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02"}""", """, "operation-target": "disk" """)), ControlResult.Error, "The 'operation-target' value (disk) is not within expected set: (memory, database, all, default)");

        // What only the configuration's own validation finds is refused with its reason and path.
        var invalid = await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02", "ip-addresses": ["2001:db8:1::50"]}"""));
        ControlAssert.Result(invalid, ControlResult.Error);
        Assert.Contains("Dhcp6/subnet6[0]/reservations[1]/ip-addresses[0]: address 2001:db8:1::50 is already reserved", invalid["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var unknownKey = await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02", "colour": "blue"}"""));
        Assert.Contains("unknown parameter 'colour'", unknownKey["text"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(hash, server.Server.ConfigHash);
        Assert.Equal("2001:db8:1::10", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());
    }

    [Fact]
    public async Task A_reservation_without_subnet_id_or_addresses_is_global()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        ControlAssert.Result(await server.CommandAsync(Add("""{"duid": "0a:0b:0c", "hostname": "roaming"}""")), ControlResult.Success, "Host added. subnet-id not specified, assumed global (subnet-id 0).");

        var hosts = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-all", "arguments": {"subnet-id": 0}}"""), ControlResult.Success, "1 IPv6 host(s) found."))["hosts"]!.AsArray();
        Assert.Equal("0a:0b:0c", hosts[0]!["duid"]!.GetValue<string>());
        Assert.Equal(0, Int(hosts[0]!["subnet-id"]!));
        Assert.Equal("roaming", (await ConfigGetDhcp6(server))["reservations"]![0]!["hostname"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_finds_by_address_or_identifier_and_answers_3_when_nothing_is_there()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var byAddress = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::50"}}"""), ControlResult.Success, "Host found."));
        Assert.Equal("aa:bb:cc:dd:ee:ff", byAddress["hw-address"]!.GetValue<string>());

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::51"}}"""), ControlResult.Empty, "Host not found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 2, "identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff"}}"""), ControlResult.Empty, "Host not found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::50", "operation-target": "database"}}"""), ControlResult.Empty, "Host not found.");

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get"}"""), ControlResult.Error, "Parameters missing or are not a map.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {}}"""), ControlResult.Error, "missing parameter 'subnet-id'");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"ip-address": "2001:db8:1::50"}}"""), ControlResult.Error, "missing parameter 'subnet-id', use 'reservation-get-by-address' with 'ip-address' set to \"2001:db8:1::50\" to get the list of reservations with this address");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1}}"""), ControlResult.Error, "No 'ip-address' provided and 'identifier-type' is either missing or not a string.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "serial", "identifier": "01"}}"""), ControlResult.Error, "Value of 'identifier-type' was not recognized.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": 1, "identifier-type": "duid", "identifier": "zz"}}"""), ControlResult.Error, "Unable to parse 'identifier' value.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get", "arguments": {"subnet-id": -1, "identifier-type": "duid", "identifier": "01"}}"""), ControlResult.Error, "out of range value (-1) specified for parameter 'subnet-id'");
    }

    [Fact]
    public async Task Listing_commands_page_and_filter_across_subnets()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 2, "hw-address": "aa:bb:cc:dd:ee:ff", "ip-addresses": ["2001:db8:2::50"], "hostname": "printer.example.org"}""")), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 0, "duid": "01:02:03", "prefixes": ["2001:db8:1::50/128"]}""")), ControlResult.Success);

        var byHostname = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-hostname", "arguments": {"hostname": "PRINTER.example.org"}}"""), ControlResult.Success, "2 IPv6 host(s) found."))["hosts"]!.AsArray();
        Assert.Equal([1, 2], byHostname.Select(h => Int(h!["subnet-id"]!)));
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-hostname", "arguments": {"hostname": "printer.example.org", "subnet-id": 2}}"""), ControlResult.Success, "1 IPv6 host(s) found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-hostname", "arguments": {"hostname": "nobody"}}"""), ControlResult.Empty, "0 IPv6 host(s) found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-hostname", "arguments": {"hostname": ""}}"""), ControlResult.Error, "Empty hostname");

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-id", "arguments": {"identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff"}}"""), ControlResult.Success, "2 IPv6 host(s) found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-id", "arguments": {"identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff", "subnet-id": 1}}"""), ControlResult.Error, "'subnet-id' is forbidden in reservation-get-by-id");

        // By address: the reserved address in subnet 1 and the global reservation's prefix starting at it.
        var byAddress = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-address", "arguments": {"ip-address": "2001:db8:1::50"}}"""), ControlResult.Success, "2 IPv6 host(s) found."))["hosts"]!.AsArray();
        Assert.Equal([0, 1], byAddress.Select(h => Int(h!["subnet-id"]!)).Order());
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-address", "arguments": {"ip-address": "2001:db8:1::50", "subnet-id": 9}}"""), ControlResult.Error, "IPv6 subnet with ID of '9' is not configured");

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-all", "arguments": {"subnet-id": 2}}"""), ControlResult.Success, "1 IPv6 host(s) found.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-all", "arguments": {"subnet-id": 3}}"""), ControlResult.Error, "IPv6 subnet with ID of '3' is not configured");

        // Pages of two over all three hosts, chained with "next".
        var first = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-page", "arguments": {"limit": 2}}"""), ControlResult.Success, "2 IPv6 host(s) found."));
        Assert.Equal(2, first["count"]!.GetValue<int>());
        var next = first["next"]!;
        var second = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync($$$"""{"command": "reservation-get-page", "arguments": {"limit": 2, "source-index": {{{next["source-index"]}}}, "from": {{{next["from"]}}}}}"""),
            ControlResult.Success,
            "1 IPv6 host(s) found."));
        var seen = first["hosts"]!.AsArray().Concat(second["hosts"]!.AsArray()).Select(h => Int(h!["subnet-id"]!)).Order();
        Assert.Equal([0, 1, 2], seen);
        var last = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync($$$"""{"command": "reservation-get-page", "arguments": {"limit": 2, "from": {{{second["next"]!["from"]}}}}}"""),
            ControlResult.Empty,
            "0 IPv6 host(s) found."));
        Assert.Null(last["next"]);
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-page", "arguments": {}}"""), ControlResult.Error, "missing parameter 'limit'");
    }

    [Fact]
    public async Task Update_replaces_the_reservation_and_the_client_gets_the_new_address()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        ControlAssert.Result(await server.CommandAsync(Add($$"""{"subnet-id": 1, "duid": "{{ClientDuid}}", "ip-addresses": ["2001:db8:1::100"], "hostname": "old"}""")), ControlResult.Success);

        var answer = await server.CommandAsync($$$"""{"command": "reservation-update", "arguments": {"reservation": {"subnet-id": 1, "duid": "{{{ClientDuid}}}", "ip-addresses": ["2001:db8:1::200"]} } }""");

        ControlAssert.Result(answer, ControlResult.Success, "Host updated.");
        Assert.Equal("2001:db8:1::200", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());
        var entry = (await ConfigGetDhcp6(server))["subnet6"]![0]!["reservations"]![1]!;
        Assert.Null(entry["hostname"]);
        Assert.Equal("2001:db8:1::200", entry["ip-addresses"]![0]!.GetValue<string>());

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-update", "arguments": {"reservation": {"subnet-id": 1, "duid": "09:09"}}}"""), ControlResult.Error, "Host not updated (not found).");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-update", "arguments": {"reservation": {"duid": "09:09"}}}"""), ControlResult.Error, "Mandatory 'subnet-id' parameter missing.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-update", "arguments": {"reservation": []}}"""), ControlResult.Error, "invalid command: expected 'reservation' to be a map, got list instead");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-update", "arguments": {}}"""), ControlResult.Error, "invalid command: expected 'reservation' as the sole parameter inside the 'arguments' map, didn't get it instead");
    }

    [Fact]
    public async Task Delete_removes_by_address_or_identifier_and_answers_3_when_not_found()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        ControlAssert.Result(await server.CommandAsync(Add($$"""{"subnet-id": 1, "duid": "{{ClientDuid}}", "ip-addresses": ["2001:db8:1::100"]}""")), ControlResult.Success);

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::100"}}"""), ControlResult.Success, "Host deleted.");
        Assert.Equal("2001:db8:1::10", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff"}}"""), ControlResult.Success, "Host deleted.");
        Assert.Empty((await ConfigGetDhcp6(server))["subnet6"]![0]!["reservations"]!.AsArray());

        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::100"}}"""), ControlResult.Empty, "Host not deleted (not found).");
        ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-del", "arguments": {"subnet-id": 1, "ip-address": "2001:db8:1::100", "operation-target": "database"}}"""), ControlResult.Error, "Unable to delete a host because there is no hosts-databases configured.");
    }

    [Fact]
    public async Task With_non_unique_reservations_an_address_may_be_added_for_a_second_host_and_both_are_found_by_address()
    {
        var dhcp6 = Config();
        dhcp6["ip-reservations-unique"] = false;
        await using var server = await ControlTestServer.StartAsync(dhcp6);

        ControlAssert.Result(await server.CommandAsync(Add("""{"subnet-id": 1, "duid": "01:02:03", "ip-addresses": ["2001:db8:1::50"]}""")), ControlResult.Success, "Host added.");
        var hosts = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "reservation-get-by-address", "arguments": {"ip-address": "2001:db8:1::50", "subnet-id": 1}}"""), ControlResult.Success, "2 IPv6 host(s) found."))["hosts"]!.AsArray();
        Assert.Equal(["aa:bb:cc:dd:ee:ff", null], hosts.Select(h => h!["hw-address"]?.GetValue<string>()));
        Assert.Equal(2, server.Server.Config!.Subnets[0].Reservations.Count);
    }
}
