using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Kea's host commands (built in for a config naming libdhcp_host_cmds.so) driven with socat, seen by a real dhclient.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostCommandsClientTests : IDisposable
{
    private const string Extra = """
        "control-sockets": [ { "socket-type": "unix", "socket-name": "ctrl" } ],
        "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_host_cmds.so" } ],
        """;

    // dhclient -D LL: DUID-LL (type 3, hardware type 1) of the client's fixed MAC address in the lab.
    private const string ClientDuid = "00:03:00:01:02:00:00:00:aa:02";

    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-e2e-").FullName;

    private static JsonNode Socat(ServerProcess server, string command) =>
        JsonNode.Parse(Run.Checked("bash", "-c", $"printf '%s' '{command}' | socat -t 5 UNIX:{Path.Combine(server.Directory, "ctrl")} -"))!;

    [Fact]
    public void A_reservation_added_over_the_socket_is_the_address_dhclient_gets_and_config_write_keeps_it()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Extra), _serverDir);
        Assert.Contains("DHCP6_HOOKS_LIBRARY_BUILT_IN", File.ReadAllText(server.LogFile), StringComparison.Ordinal);

        var added = Socat(server, $$"""{"command": "reservation-add", "arguments": {"reservation": {"subnet-id": 1, "duid": "{{ClientDuid}}", "ip-addresses": ["2001:db8:1::77"], "hostname": "reserved"} } }""");
        Assert.True(added["result"]!.GetValue<int>() == 0, added.ToJsonString() + server.Output);

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain("-D", "LL");
        Assert.True(code == 0, output + server.Output);
        Assert.Equal("2001:db8:1::77", client.Addresses().Last());

        var found = Socat(server, """{"command": "reservation-get-by-address", "arguments": {"ip-address": "2001:db8:1::77"}}""");
        Assert.Equal(ClientDuid, found["arguments"]!["hosts"]![0]!["duid"]!.GetValue<string>());

        var written = Socat(server, """{"command": "config-write", "arguments": {"filename": "written.json"}}""");
        Assert.True(written["result"]!.GetValue<int>() == 0, written.ToJsonString());
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(server.Directory, "written.json")))!;
        Assert.Equal("2001:db8:1::77", file["Dhcp6"]!["subnet6"]![0]!["reservations"]![0]!["ip-addresses"]![0]!.GetValue<string>());
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
        Directory.Delete(_serverDir, recursive: true);
    }
}
