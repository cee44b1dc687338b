using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// The control channel of the real executable, driven by the tools operators use: socat on the UNIX socket,
/// curl over HTTP to the server's global address (from inside its namespace: the client side has only a
/// link-local address and no route to it), and pukeko-ctl.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ControlChannelTests : IDisposable
{
    private const string Sockets = """
        "control-sockets": [
          { "socket-type": "unix", "socket-name": "ctrl" },
          { "socket-type": "http", "socket-address": "2001:db8:1::1", "socket-port": 8000,
            "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "s3cret" } ] } } ],
        "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" } ],
        """;

    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;

    private static string Socat(ServerProcess server, string command) =>
        Run.Checked("bash", "-c", $"printf '%s' '{command}' | socat -t 5 UNIX:{Path.Combine(server.Directory, "ctrl")} -");

    private string Curl(string command, string user = "admin:s3cret") =>
        Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "curl", "-s", "-u", user, "-H", "Content-Type: application/json",
            "-d", command, "http://[2001:db8:1::1]:8000/").Output;

    private static string CtlExecutable
    {
        get
        {
            var daemon = ServerProcess.Executable;
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var root = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "src", "Pukeko.Ctl", "bin", configuration, "net10.0", "pukeko-ctl");
            return File.Exists(path) ? path : Path.Combine(Path.GetDirectoryName(daemon)!, "pukeko-ctl");
        }
    }

    [Fact]
    public void Socat_and_curl_see_the_lease_a_real_client_got()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Sockets));
        Assert.Contains("COMMAND_ACCEPTOR_START", File.ReadAllText(server.LogFile), StringComparison.Ordinal);
        var commands = Socat(server, """{"command": "list-commands"}""");
        Assert.Contains("\"result\": 0", commands, StringComparison.Ordinal);
        Assert.Contains("lease6-get-all", commands, StringComparison.Ordinal);

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var address = client.Addresses().Single();

        var all = JsonNode.Parse(Curl("""{"command": "lease6-get-all", "service": ["dhcp6"]}"""))!.AsArray();
        var lease = Assert.Single(all)!["arguments"]!["leases"]!.AsArray().Single()!;
        Assert.Equal(address, lease["ip-address"]!.GetValue<string>());

        var stat = JsonNode.Parse(Socat(server, """{"command": "statistic-get", "arguments": {"name": "subnet[1].assigned-nas"}}"""))!;
        Assert.Equal(1, stat["arguments"]!["subnet[1].assigned-nas"]![0]![0]!.GetValue<long>());

        // Kea's stat_cmds (built in): the subnet's row, in the column order its header gives.
        var leaseStats = JsonNode.Parse(Curl("""{"command": "stat-lease6-get", "service": ["dhcp6"], "arguments": {"subnet-id": 1}}"""))!.AsArray().Single()!;
        var set = leaseStats["arguments"]!["result-set"]!;
        var columns = set["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var row = set["rows"]!.AsArray().Single()!.AsArray();
        Assert.Equal(256, row[columns.IndexOf("total-nas")]!.GetValue<long>());
        Assert.Equal(1, row[columns.IndexOf("assigned-nas")]!.GetValue<long>());
        var metrics = Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "curl", "-s", "-u", "admin:s3cret", "http://[2001:db8:1::1]:8000/metrics").Output;
        Assert.Contains("pukeko_dhcp6_subnet_assigned_nas{subnet_id=\"1\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_credentials_are_refused_with_401()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Sockets));
        var status = Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:wrong",
            "-d", """{"command": "version-get"}""", "http://[2001:db8:1::1]:8000/").Output;
        Assert.Equal("401", status.Trim());
    }

    [Fact]
    public void Rbac_gives_each_basic_authentication_user_the_commands_of_its_role()
    {
        const string rbac = """
            "control-sockets": [
              { "socket-type": "unix", "socket-name": "ctrl" },
              { "socket-type": "http", "socket-address": "2001:db8:1::1", "socket-port": 8000,
                "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "s3cret" }, { "user": "viewer", "password": "v" } ] } } ],
            "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" },
              { "library": "libdhcp_rbac.so", "parameters": { "assign-role-method": "basic-authentication", "api-files": "/usr/share/kea/api",
                "roles": [ { "name": "admin", "accept-commands": "ALL" },
                           { "name": "viewer", "accept-commands": "READ", "response-filters": [ "list-commands" ] } ] } } ],
            """;
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: rbac));
        Assert.Contains("\"result\": 0", Socat(server, """{"command": "lease6-add", "arguments": {"ip-address": "2001:db8:1::150", "duid": "01:02:03:04", "iaid": 1}}"""), StringComparison.Ordinal);

        string Status(string user, string command) =>
            Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", user,
                "-H", "Content-Type: application/json", "-d", command, "http://[2001:db8:1::1]:8000/").Output.Trim();

        var leases = JsonNode.Parse(Curl("""{"command": "lease6-get-all"}""", "viewer:v"))!.AsArray().Single()!["arguments"]!["leases"]!.AsArray();
        Assert.Equal("2001:db8:1::150", Assert.Single(leases)!["ip-address"]!.GetValue<string>());
        Assert.Equal("403", Status("viewer:v", """{"command": "lease6-del", "arguments": {"ip-address": "2001:db8:1::150"}}"""));
        Assert.Contains(server.LeaseRows(), row => row.StartsWith("2001:db8:1::150,", StringComparison.Ordinal));

        var listed = JsonNode.Parse(Curl("""{"command": "list-commands"}""", "viewer:v"))!.AsArray().Single()!["arguments"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("lease6-get-all", listed);
        Assert.DoesNotContain("lease6-del", listed);

        Assert.Equal("200", Status("admin:s3cret", """{"command": "lease6-del", "arguments": {"ip-address": "2001:db8:1::150"}}"""));
        Assert.Empty(JsonNode.Parse(Curl("""{"command": "lease6-get-all"}""", "viewer:v"))!.AsArray().Single()!["arguments"]?["leases"]?.AsArray() ?? []);
        Assert.Contains("RBAC_COMMAND_REJECTED", File.ReadAllText(server.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_config_set_leaves_the_server_serving_and_a_lease_added_by_command_is_honoured()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Sockets));
        var bad = Socat(server, """{"command": "config-set", "arguments": {"Dhcp6": {"subnet6": [{"id": 1, "subnet": "nonsense"}]}}}""");
        Assert.Contains("\"result\": 1", bad, StringComparison.Ordinal);
        Assert.Contains("Dhcp6/subnet6[0]/subnet", bad, StringComparison.Ordinal);

        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
    }

    [Fact]
    public void Pukeko_ctl_talks_to_the_socket_and_shutdown_stops_the_server()
    {
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: Sockets));
        var socket = Path.Combine(server.Directory, "ctrl");
        var (code, status) = Run.Command(CtlExecutable, "-s", socket, "status-get");
        Assert.Equal(0, code);
        Assert.Equal(server.Pid, JsonNode.Parse(status)!["arguments"]!["pid"]!.GetValue<int>()); // ip netns exec execs the daemon

        var (added, _) = Run.Command(CtlExecutable, "-s", socket, "lease6-add", "ip-address=2001:db8:1::150", "duid=01:02:03:04", "iaid=1");
        Assert.Equal(0, added);
        Assert.Contains(server.LeaseRows(), row => row.StartsWith("2001:db8:1::150,01:02:03:04,", StringComparison.Ordinal));

        var (missing, _) = Run.Command(CtlExecutable, "-s", socket, "lease6-get", "ip-address=2001:db8:1::199");
        Assert.Equal(3, missing);

        Run.Command(CtlExecutable, "-s", socket, "shutdown");
        Assert.True(Run.WaitFor(() => server.HasExited, TimeSpan.FromSeconds(10)), server.Output);
        Assert.Equal(0, server.ExitCode);
    }

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }
}
