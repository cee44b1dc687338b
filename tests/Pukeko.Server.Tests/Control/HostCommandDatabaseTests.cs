using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// The host commands with a <c>hosts-database</c> configured (an in-memory stand-in for PostgreSQL; the same
/// commands on real databases of both schemas are in Pukeko.Server.PostgreSql.Tests): Kea's
/// <c>operation-target</c> defaults, the database's refusals as answers, pages across the configuration and the
/// database, and a host added to the database served to the next packet.
/// </summary>
public sealed class HostCommandDatabaseTests
{
    private static readonly string ClientDuid = ClientMessages.ClientDuid.ToString();

    private static JsonObject Config()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["subnet6"]![0]!["reservations"] = new JsonArray(new JsonObject { ["hw-address"] = "aa:bb:cc:dd:ee:ff", ["hostname"] = "printer" });
        dhcp6["hosts-database"] = new JsonObject { ["type"] = "postgresql", ["name"] = "kea" };
        dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_host_cmds.so" } ]""");
        return dhcp6;
    }

    private static string Command(string name, string arguments) => $$"""{"command": "{{name}}", "arguments": {{arguments}} }""";

    private static List<string> Hostnames(JsonObject answer) =>
        [.. ControlAssert.Args(answer)["hosts"]!.AsArray().Select(h => h!["hostname"]!.GetValue<string>())];

    private static async Task<int> ConfigReservations(ControlTestServer server) =>
        ControlAssert.Args(await server.CommandAsync("""{"command": "config-get"}"""))["Dhcp6"]!["subnet6"]![0]!["reservations"]!.AsArray().Count;

    [Fact]
    public async Task Changes_go_to_the_host_database_by_default_and_its_host_is_served_to_the_next_packet()
    {
        var database = new InMemoryHostDatabase();
        await using var server = await ControlTestServer.StartAsync(Config(), hostDatabase: database);
        var reservation = $$"""{"subnet-id": 1, "duid": "{{ClientDuid}}", "ip-addresses": ["2001:db8:1::100"], "hostname": "db.example.org", "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ]}""";

        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", $$"""{"reservation": {{reservation}} }""")), ControlResult.Success, "Host added.");
        var host = Assert.Single(database.Hosts);
        Assert.Equal(1u, host.SubnetId);
        Assert.Equal("2001:db8::53", Assert.Single(host.Options).FormattedValue);
        Assert.Equal(1, await ConfigReservations(server));
        Assert.Equal("2001:db8:1::100", ClientMessages.AddressOf(server.Solicit()!)!.Address.ToString());

        // The database's refusal is the answer; a reservation the configuration's rules refuse is not written.
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", $$"""{"reservation": {{reservation}} }""")), ControlResult.Error, "Database duplicate entry error");
        var bad = await server.CommandAsync(Command("reservation-add", """{"reservation": {"subnet-id": 1, "duid": "01:02", "option-data": [ { "name": "dns-servers", "data": "not-an-address" } ]} }"""));
        ControlAssert.Result(bad, ControlResult.Error);
        Assert.Contains("invalid data 'not-an-address'", bad["text"]!.GetValue<string>(), StringComparison.Ordinal);
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", """{"reservation": {"subnet-id": 1, "duid": "01:02", "ip-addresses": ["2001:db8:9::1"]} }""")),
            ControlResult.Error, "specified reservation '2001:db8:9::1' is not matching the IPv6 subnet prefix '2001:db8:1::/64'");
        Assert.Single(database.Hosts);

        // "all": the configuration and the database; "memory": the configuration only.
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", """{"operation-target": "all", "reservation": {"subnet-id": 1, "duid": "0a:0a", "hostname": "both"} }""")), ControlResult.Success, "Host added.");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", """{"operation-target": "memory", "reservation": {"subnet-id": 1, "duid": "0b:0b", "hostname": "config-only"} }""")), ControlResult.Success, "Host added.");
        Assert.Equal(2, database.Hosts.Count);
        Assert.Equal(3, await ConfigReservations(server));

        // Reads: the configuration's hosts, then the database's.
        Assert.Equal(["printer", "both", "config-only", "db.example.org", "both"], Hostnames(await server.CommandAsync(Command("reservation-get-all", """{"subnet-id": 1}"""))));
        Assert.Equal(["db.example.org", "both"], Hostnames(await server.CommandAsync(Command("reservation-get-all", """{"subnet-id": 1, "operation-target": "database"}"""))));
        var stored = ControlAssert.Args(ControlAssert.Result(
            await server.CommandAsync(Command("reservation-get", $$"""{"subnet-id": 1, "identifier-type": "duid", "identifier": "{{ClientDuid}}"}""")), ControlResult.Success, "Host found."));
        Assert.Equal("""[{"always-send":false,"code":23,"csv-format":true,"data":"2001:db8::53","name":"dns-servers","never-send":false,"space":"dhcp6"}]""", stored["option-data"]!.ToJsonString());
    }

    [Fact]
    public async Task Update_and_delete_default_to_the_database_and_pages_walk_both_sources()
    {
        var database = new InMemoryHostDatabase();
        await using var server = await ControlTestServer.StartAsync(Config(), hostDatabase: database);
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", """{"reservation": {"subnet-id": 1, "duid": "01:01", "hostname": "one"} }""")), ControlResult.Success);
        ControlAssert.Result(await server.CommandAsync(Command("reservation-add", """{"reservation": {"subnet-id": 0, "duid": "02:02", "hostname": "two"} }""")), ControlResult.Success);

        ControlAssert.Result(await server.CommandAsync(Command("reservation-update", """{"reservation": {"subnet-id": 1, "duid": "01:01", "hostname": "renamed"} }""")), ControlResult.Success, "Host updated.");
        Assert.Equal(["two", "renamed"], database.Hosts.Select(h => h.Hostname));
        ControlAssert.Result(await server.CommandAsync(Command("reservation-update", """{"reservation": {"subnet-id": 1, "duid": "03:03"} }""")), ControlResult.Error, "Host not updated (not found).");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-update", """{"reservation": {"subnet-id": 1, "duid": "01:01"}, "operation-target": "memory"}""")), ControlResult.Error, "Host not updated (not found).");

        // Source 0 (the configuration) in one page, then source 1 (the database) two hosts at a time, then the end.
        var page = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync(Command("reservation-get-page", """{"limit": 2}""")), ControlResult.Success));
        Assert.Equal("""{"source-index":0,"from":1}""", page["next"]!.ToJsonString());
        page = ControlAssert.Args(ControlAssert.Result(await server.CommandAsync(Command("reservation-get-page", """{"limit": 2, "source-index": 0, "from": 1}""")), ControlResult.Success, "2 IPv6 host(s) found."));
        Assert.Equal(["two", "renamed"], page["hosts"]!.AsArray().Select(h => h!["hostname"]!.GetValue<string>()));
        Assert.Equal("0", page["hosts"]![0]!["subnet-id"]!.ToJsonString());
        Assert.Equal("""{"source-index":1,"from":3}""", page["next"]!.ToJsonString());
        ControlAssert.Result(await server.CommandAsync(Command("reservation-get-page", """{"limit": 2, "source-index": 1, "from": 3}""")), ControlResult.Empty, "0 IPv6 host(s) found.");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-get-page", """{"limit": 2, "subnet-id": 0, "source-index": 1}""")), ControlResult.Success, "1 IPv6 host(s) found.");

        // Delete: the database by default (the configuration's host is not there), result 3 when nothing is deleted.
        ControlAssert.Result(await server.CommandAsync(Command("reservation-del", """{"subnet-id": 1, "identifier-type": "hw-address", "identifier": "aa:bb:cc:dd:ee:ff"}""")), ControlResult.Empty, "Host not deleted (not found).");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-del", """{"subnet-id": 0, "identifier-type": "duid", "identifier": "02:02"}""")), ControlResult.Success, "Host deleted.");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-del", """{"subnet-id": 1, "identifier-type": "duid", "identifier": "01:01", "operation-target": "memory"}""")), ControlResult.Empty, "Host not deleted (not found).");
        ControlAssert.Result(await server.CommandAsync(Command("reservation-del", """{"subnet-id": 1, "identifier-type": "duid", "identifier": "01:01", "operation-target": "all"}""")), ControlResult.Success, "Host deleted.");
        Assert.Empty(database.Hosts);
        Assert.Equal(1, await ConfigReservations(server));
    }
}
