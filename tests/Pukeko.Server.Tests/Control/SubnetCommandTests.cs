using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

public sealed class SubnetCommandTests
{
    /// <summary>Subnet 1 (the client's link, eth0) with a reservation; shared network "floor1" with subnet 10; subnet_cmds loaded.</summary>
    private static JsonObject Config(bool withLibrary = true)
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"]![0]!["reservations"] = JsonNode.Parse("""[ { "hw-address": "aa:bb:cc:dd:ee:ff", "ip-addresses": ["2001:db8:1::50"] } ]""");
        dhcp6["shared-networks"] = JsonNode.Parse("""
            [ { "name": "floor1", "subnet6": [ { "id": 10, "subnet": "2001:db8:a::/64", "pools": [ { "pool": "2001:db8:a::10-2001:db8:a::1f" } ] } ] } ]
            """);
        if (withLibrary)
        {
            dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "libdhcp_subnet_cmds.so" } ]""");
        }

        return dhcp6;
    }

    private static int Int(JsonNode node) => int.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static async Task<JsonObject> ConfigGetDhcp6(ControlTestServer server) =>
        (JsonObject)ControlAssert.Args(await server.CommandAsync("""{"command": "config-get"}"""))["Dhcp6"]!;

    private static string AddressOfSolicit(ControlTestServer server) =>
        ClientMessages.AddressOf(server.Solicit()!)?.Address.ToString() ?? "none";

    [Fact]
    public async Task Commands_exist_only_while_the_library_is_configured()
    {
        await using var server = await ControlTestServer.StartAsync(Config(withLibrary: false));
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-list"}"""), ControlResult.Unsupported, "'subnet6-list' command not supported.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-del", "arguments": {"name": "floor1"}}"""), ControlResult.Unsupported);
        Assert.Equal("floor1", (await ConfigGetDhcp6(server))["shared-networks"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_and_get_show_subnets_with_ids_and_networks()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var subnets = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-list"}"""), ControlResult.Success, "2 IPv6 subnets found"))["subnets"]!.AsArray();
        Assert.Equal([1, 10], subnets.Select(s => Int(s!["id"]!)));
        Assert.Null(subnets[0]!["shared-network-name"]);
        Assert.Equal("floor1", subnets[1]!["shared-network-name"]!.GetValue<string>());

        var byId = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"id": 1}}"""), ControlResult.Success, "Info about IPv6 subnet 2001:db8:1::/64 (id 1) returned"));
        var shown = byId["subnet6"]![0]!;
        Assert.Equal("2001:db8:1::10-2001:db8:1::1f", shown["pools"]![0]!["pool"]!.GetValue<string>());
        Assert.Null(shown["reservations"]);
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"subnet": "2001:db8:a::/64"}}"""), ControlResult.Success, "Info about IPv6 subnet 2001:db8:a::/64 (id 10) returned");

        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"id": 5}}"""), ControlResult.Empty, "No subnet with id 5 found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"subnet": "2001:db8:5::/64"}}"""), ControlResult.Empty, "No 2001:db8:5::/64 subnet found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"id": 1, "subnet": "2001:db8:1::/64"}}"""), ControlResult.Error, "invalid number of arguments 2 for the 'subnet6-get' command. Expecting 'id' or 'subnet'");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get", "arguments": {"id": "1"}}"""), ControlResult.Error, "'id' parameter must be an integer");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-get"}"""), ControlResult.Error, "no arguments specified for the 'subnet6-get' command");
    }

    [Fact]
    public async Task Add_update_and_delete_take_effect_and_are_in_config_get()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var added = await server.CommandAsync("""{"command": "subnet6-add", "arguments": {"subnet6": [ {"id": 5, "subnet": "2001:db8:5::/64", "interface": "eth5", "pools": [ {"pool": "2001:db8:5::/120"} ]} ]}}""");
        ControlAssert.Result(added, ControlResult.Success, "IPv6 subnet added");
        Assert.Equal(5, Int(ControlAssert.Args(added)["subnets"]![0]!["id"]!));
        Assert.Contains((await ConfigGetDhcp6(server))["subnet6"]!.AsArray(), s => s!["subnet"]!.GetValue<string>() == "2001:db8:5::/64");

        // Without an id: one above the highest.
        var numbered = await server.CommandAsync("""{"command": "subnet6-add", "arguments": {"subnet6": [ {"subnet": "2001:db8:6::/64"} ]}}""");
        Assert.Equal(11, Int(ControlAssert.Args(numbered)["subnets"]![0]!["id"]!));

        var hash = server.Server.ConfigHash;
        var duplicate = await server.CommandAsync("""{"command": "subnet6-add", "arguments": {"subnet6": [ {"id": 1, "subnet": "2001:db8:7::/64"} ]}}""");
        ControlAssert.Result(duplicate, ControlResult.Error);
        Assert.Contains("subnet id 1 is already used", duplicate["text"]!.GetValue<string>(), StringComparison.Ordinal);
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-add", "arguments": {"subnet6": [ {"id": 7, "subnet": "2001:db8:7::/64", "reservations": []} ]}}"""), ControlResult.Error, "must not specify host reservations with 'subnet6-add'. Use 'reservation-add' to add a reservation to a subnet");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-add", "arguments": {"subnet6": []}}"""), ControlResult.Error, "invalid number of subnets specified for the 'subnet6-add' command. Expected one subnet");
        Assert.Equal(hash, server.Server.ConfigHash);

        // Update replaces the subnet (the pool moves) and keeps its reservations.
        Assert.Equal("2001:db8:1::10", AddressOfSolicit(server));
        var updated = await server.CommandAsync("""{"command": "subnet6-update", "arguments": {"subnet6": [ {"id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ {"pool": "2001:db8:1::80-2001:db8:1::8f"} ]} ]}}""");
        ControlAssert.Result(updated, ControlResult.Success, "IPv6 subnet updated");
        Assert.Equal("2001:db8:1::80", AddressOfSolicit(server));
        Assert.Equal("aa:bb:cc:dd:ee:ff", (await ConfigGetDhcp6(server))["subnet6"]![0]!["reservations"]![0]!["hw-address"]!.GetValue<string>());
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-update", "arguments": {"subnet6": [ {"id": 99, "subnet": "2001:db8:99::/64"} ]}}"""), ControlResult.Error, "Can't find subnet '99' to update");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-update", "arguments": {"subnet6": [ {"subnet": "2001:db8:99::/64"} ]}}"""), ControlResult.Error, "must specify subnet id with 'subnet6-update' command.");

        var deleted = await server.CommandAsync("""{"command": "subnet6-del", "arguments": {"id": 1}}""");
        ControlAssert.Result(deleted, ControlResult.Success, "IPv6 subnet 2001:db8:1::/64 (id 1) deleted");
        Assert.Equal("none", AddressOfSolicit(server));
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-del", "arguments": {"id": 1}}"""), ControlResult.Empty, "no subnet with id 1 found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-del", "arguments": {}}"""), ControlResult.Error, "invalid number of arguments specified for the 'subnet6-del command. Expected subnet identifier");
        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-del", "arguments": {"id": "x"}}"""), ControlResult.Error, "subnet identifier specified for the 'subnet6-del' is not a number");
        var ids = (await ConfigGetDhcp6(server))["subnet6"]!.AsArray().Select(s => Int(s!["id"]!)).ToList();
        Assert.Equal([5, 11], ids);
    }

    [Fact]
    public async Task Delta_add_and_delta_del_change_parts_of_a_subnet()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        var add = await server.CommandAsync("""
            {"command": "subnet6-delta-add", "arguments": {"subnet6": [ {"id": 1, "subnet": "2001:db8:1::/64", "valid-lifetime": 5000,
              "option-data": [ {"name": "dns-servers", "data": "2001:db8::53"} ],
              "pools": [ {"pool": "2001:db8:1::10 - 2001:db8:1::1f", "option-data": [ {"code": 31, "data": "2001:db8::123"} ]}, {"pool": "2001:db8:1::100/120"} ] } ]}}
            """);
        ControlAssert.Result(add, ControlResult.Success, "IPv6 subnet updated");
        var subnet = (await ConfigGetDhcp6(server))["subnet6"]![0]!;
        Assert.Equal(5000, Int(subnet["valid-lifetime"]!));
        Assert.Equal(2, subnet["pools"]!.AsArray().Count); // the first pool was found by its range, however written
        Assert.Equal(31, Int(subnet["pools"]![0]!["option-data"]![0]!["code"]!));
        Assert.Equal((uint)5000, server.Server.Config!.FindSubnet(1)!.ValidLifetime.Default);

        var del = await server.CommandAsync("""
            {"command": "subnet6-delta-del", "arguments": {"subnet6": [ {"id": 1, "subnet": "2001:db8:1::/64", "valid-lifetime": 0,
              "option-data": [ {"code": 23} ],
              "pools": [ {"pool": "2001:db8:1::10-2001:db8:1::1f"}, {"pool": "2001:db8:1::100-2001:db8:1::1ff", "option-data": []} ] } ]}}
            """);
        ControlAssert.Result(del, ControlResult.Success, "IPv6 subnet updated");
        subnet = (await ConfigGetDhcp6(server))["subnet6"]![0]!;
        Assert.Null(subnet["valid-lifetime"]);
        Assert.Empty(subnet["option-data"]!.AsArray()); // dns-servers named by name, removed by its code
        Assert.Empty(subnet["pools"]!.AsArray());
        Assert.Equal("none", AddressOfSolicit(server));

        ControlAssert.Result(await server.CommandAsync("""{"command": "subnet6-delta-add", "arguments": {"subnet6": [ {"id": 3, "subnet": "2001:db8:3::/64"} ]}}"""), ControlResult.Error, "Can't find subnet '3' to update");
    }

    [Fact]
    public async Task Shared_networks_are_listed_added_joined_left_and_deleted()
    {
        await using var server = await ControlTestServer.StartAsync(Config());
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-list"}"""), ControlResult.Success, "1 IPv6 network found");
        var got = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync("""{"command": "network6-get", "arguments": {"name": "floor1"}}"""), ControlResult.Success, "Info about IPv6 shared network 'floor1' returned"));
        Assert.Equal(10, Int(got["shared-networks"]![0]!["subnet6"]![0]!["id"]!));
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-get", "arguments": {"name": "floor2"}}"""), ControlResult.Empty, "No 'floor2' shared network found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-get", "arguments": {}}"""), ControlResult.Error, "invalid 'network6-get': missing mandatory 'name' parameter");

        var added = await server.CommandAsync("""{"command": "network6-add", "arguments": {"shared-networks": [ {"name": "floor2", "interface": "eth2", "subnet6": [ {"id": 20, "subnet": "2001:db8:20::/64"} ]} ]}}""");
        ControlAssert.Result(added, ControlResult.Success, "A new IPv6 shared network 'floor2' added");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-add", "arguments": {"shared-networks": [ {"name": "floor2"} ]}}"""), ControlResult.Error, "A shared network with name 'floor2' already exists");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-list"}"""), ControlResult.Success, "2 IPv6 networks found");

        // Subnet 1 joins floor1 with its reservation, then leaves it again.
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-add", "arguments": {"name": "floor1", "id": 1}}"""), ControlResult.Success, "IPv6 subnet 2001:db8:1::/64 (id 1) is now part of shared network 'floor1'");
        Assert.Equal("floor1", server.Server.Config!.FindSubnet(1)!.SharedNetwork!.Name);
        Assert.Single(server.Server.Config!.FindSubnet(1)!.Reservations);
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-add", "arguments": {"name": "floor2", "id": 1}}"""), ControlResult.Error, "subnet 1 being added to a shared network already belongs to a shared network");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-add", "arguments": {"name": "floor9", "id": 1}}"""), ControlResult.Empty, "no IPv6 shared network with name 'floor9' found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-add", "arguments": {"name": "floor2", "id": 77}}"""), ControlResult.Empty, "no IPv6 subnet with id '77' found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-del", "arguments": {"name": "floor2", "id": 1}}"""), ControlResult.Empty, "The IPv6 subnet with id 1 is not part of the shared network with name 'floor2' found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-subnet-del", "arguments": {"name": "floor1", "id": 1}}"""), ControlResult.Success, "IPv6 subnet 2001:db8:1::/64 (id 1) is now removed from shared network 'floor1'");
        Assert.Null(server.Server.Config!.FindSubnet(1)!.SharedNetwork);
        Assert.Equal("2001:db8:1::10", AddressOfSolicit(server));

        // Deleting a network keeps its subnets as plain ones unless told to delete them.
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-del", "arguments": {"name": "floor1"}}"""), ControlResult.Success, "IPv6 shared network 'floor1' deleted");
        Assert.Null(server.Server.Config!.FindSubnet(10)!.SharedNetwork);
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-del", "arguments": {"name": "floor2", "subnets-action": "delete"}}"""), ControlResult.Success, "IPv6 shared network 'floor2' deleted");
        Assert.Null(server.Server.Config!.FindSubnet(20));
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-del", "arguments": {"name": "floor2"}}"""), ControlResult.Empty, "no shared network with name 'floor2' found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-del", "arguments": {"name": "floor1", "subnets-action": "drop"}}"""), ControlResult.Error, "Invalid value for subnets-action parameter: drop, Supported values: 'keep' and 'delete'.");
        ControlAssert.Result(await server.CommandAsync("""{"command": "network6-list"}"""), ControlResult.Empty, "0 IPv6 networks found");

        var dhcp6 = await ConfigGetDhcp6(server);
        Assert.Empty(dhcp6["shared-networks"]!.AsArray());
        Assert.Equal([1, 10], dhcp6["subnet6"]!.AsArray().Select(s => Int(s!["id"]!)).Order());
    }
}
