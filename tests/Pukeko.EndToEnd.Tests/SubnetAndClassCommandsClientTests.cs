using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// Kea's subnet and class commands (built in for a config naming libdhcp_subnet_cmds.so or libdhcp_class_cmds.so),
/// driven with socat: what they change is what a real dhclient gets, and what config-write saves loads again.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SubnetAndClassCommandsClientTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
    private readonly string _serverDir = Directory.CreateTempSubdirectory("pukeko-e2e-").FullName;

    private static string Extra(string library) => $$"""
        "control-sockets": [ { "socket-type": "unix", "socket-name": "ctrl" } ],
        "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/{{library}}" } ],
        """;

    private static JsonNode Socat(ServerProcess server, string command) =>
        JsonNode.Parse(Run.Checked("bash", "-c", $"printf '%s' '{command}' | socat -t 5 UNIX:{Path.Combine(server.Directory, "ctrl")} -"))!;

    private static void AssertOk(JsonNode answer, ServerProcess server) =>
        Assert.True(answer["result"]!.GetValue<int>() == 0, answer.ToJsonString() + server.Output);

    /// <summary>
    /// config-write into the server's directory; the written file passes <c>-t</c> where the server runs (its
    /// namespace, where its interface is, and the directories it was started with, where its paths lie) and is returned.
    /// </summary>
    private JsonNode WriteAndCheck(ServerProcess server)
    {
        AssertOk(Socat(server, """{"command": "config-write", "arguments": {"filename": "written.json"}}"""), server);
        var path = Path.Combine(server.Directory, "written.json");
        var directory = server.Directory;
        var (code, output) = Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "env", $"KEA_DHCP_DATA_DIR={directory}", $"KEA_LOG_FILE_DIR={directory}", $"KEA_PIDFILE_DIR={directory}",
            $"KEA_CONTROL_SOCKET_DIR={directory}", ServerProcess.Executable, "-t", path);
        Assert.True(code == 0, output);
        return JsonNode.Parse(File.ReadAllText(path))!;
    }

    [Fact]
    public void A_subnet_updated_over_the_socket_is_where_dhclient_gets_its_address_and_the_written_config_loads()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Extra("libdhcp_subnet_cmds.so")), _serverDir);
        AssertOk(Socat(server, $$"""
            {"command": "subnet6-update", "arguments": {"subnet6": [ {"id": 1, "subnet": "2001:db8:1::/64", "interface": "{{_lab.ServerInterface}}",
              "pools": [ {"pool": "2001:db8:1::500-2001:db8:1::5ff"} ] } ] } }
            """.ReplaceLineEndings(" ")), server);

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Last();
        Assert.StartsWith("2001:db8:1::5", address, StringComparison.Ordinal);

        var list = Socat(server, """{"command": "subnet6-list"}""");
        Assert.Equal(1, Assert.Single(list["arguments"]!["subnets"]!.AsArray())!["id"]!.GetValue<int>());

        var written = WriteAndCheck(server);
        Assert.Equal("2001:db8:1::500-2001:db8:1::5ff", written["Dhcp6"]!["subnet6"]![0]!["pools"]![0]!["pool"]!.GetValue<string>());
    }

    [Fact]
    public void A_class_added_over_the_socket_opens_its_pool_to_dhclient_and_the_written_config_keeps_it()
    {
        // Both pools are for classes that do not exist yet: no client gets an address until one is added.
        var config = Configs.Basic(extra: Extra("libdhcp_class_cmds.so")).Replace(
            """ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } """,
            """ { "pool": "2001:db8:1::100-2001:db8:1::1ff", "client-classes": [ "ll-duids" ] }, { "pool": "2001:db8:1::200-2001:db8:1::2ff", "client-classes": [ "nobody" ] } """,
            StringComparison.Ordinal);
        Assert.Contains("ll-duids", config, StringComparison.Ordinal);
        using var server = ServerProcess.Start(_lab, config, _serverDir);

        // dhclient -D LL sends a DUID-LL: type 3 in the DUID's first two bytes.
        AssertOk(Socat(server, """{"command": "class-add", "arguments": {"client-classes": [ {"name": "ll-duids", "test": "substring(option[1].hex, 0, 2) == 0x0003"} ] } }"""), server);
        var got = Socat(server, """{"command": "class-get", "arguments": {"name": "ll-duids"}}""");
        Assert.Equal("substring(option[1].hex, 0, 2) == 0x0003", got["arguments"]!["client-classes"]![0]!["test"]!.GetValue<string>());

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain("-D", "LL");
        Assert.True(code == 0, output + server.Output);
        Assert.StartsWith("2001:db8:1::1", client.Addresses().Last(), StringComparison.Ordinal);

        var written = WriteAndCheck(server);
        var classes = written["Dhcp6"]!["client-classes"]!.AsArray();
        Assert.Contains(classes, c => c!["name"]!.GetValue<string>() == "ll-duids");
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
        Directory.Delete(_serverDir, recursive: true);
    }
}
