using System.Text.Json.Nodes;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>
/// The OptionInjector and DuidBlockList example hook libraries loaded by the real server, seen by a
/// real dhclient -6, with DuidBlockList's commands driven over the UNIX (socat) and HTTP (curl) channels.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HookExampleClientTests : IDisposable
{
    // DUID-LL (type 3, hardware type 1 = Ethernet) with a made-up MAC, pinned so the test knows what dhclient sends.
    private static readonly byte[] ClientDuid = [0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0xcc, 0x01];
    private const string ClientDuidText = "00:03:00:01:02:00:00:00:cc:01";

    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
    }

    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pukeko.slnx")))
            {
                dir = dir.Parent;
            }

            return dir!.FullName;
        }
    }

    /// <summary>An example library as the solution build left it (same configuration as the server).</summary>
    private static string Example(string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepoRoot, "examples", "hooks", name, "bin", configuration, "net10.0", name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("example not built", path);
    }

    [Fact]
    public void OptionInjectorExampleChangesWhatDhclientReceives()
    {
        // Domain Search List (24) as DNS labels "hook.example.": dhclient requests it by default
        // (/etc/dhcp/dhclient.conf) and Configs.Basic configures only dns-servers, so the hook is the only source.
        const string DomainSearch = "04686f6f6b076578616d706c6500";
        var hooks = $$"""
            "hooks-libraries": [ { "library": "{{Example("OptionInjector")}}", "parameters": { "options": [ { "code": 24, "data": "{{DomainSearch}}" } ] } } ],
            """;
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: hooks));
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var lease = File.ReadAllText(client.LeaseFile);
        Assert.Contains("option dhcp6.domain-search \"hook.example.\";", lease, StringComparison.Ordinal);
        // The configured option still arrives next to the injected one.
        Assert.Contains("option dhcp6.name-servers 2001:db8:1::53;", lease, StringComparison.Ordinal);
    }

    [Fact]
    public void DuidBlockListCommandsWorkOverBothChannels()
    {
        // A Kea 3.x file (control-sockets list), so the library must be in the hooks directory: named bare and
        // found through KEA_HOOKS_PATH, as an operator would install it.
        var library = Example("DuidBlockList");
        var extra = """
            "control-sockets": [
              { "socket-type": "unix", "socket-name": "ctrl" },
              { "socket-type": "http", "socket-address": "::1", "socket-port": 8000 } ],
            "hooks-libraries": [ { "library": "DuidBlockList.dll" } ],
            """;
        var hooksPath = new Dictionary<string, string> { ["KEA_HOOKS_PATH"] = Path.GetDirectoryName(library)! };
        using var server = ServerProcess.Start(_lab, Configs.Basic(extra: extra), environment: hooksPath);
        using var client = new Dhclient(_lab, _clientDir);
        client.UseDuid(ClientDuid);
        // dhclient -1 otherwise solicits for 60 s before giving up.
        var dhclientConf = Path.Combine(_clientDir, "dhclient.conf");
        File.WriteAllText(dhclientConf, "timeout 5;\n");

        var added = JsonNode.Parse(Socat(server, $$$"""{"command": "block-list-add", "arguments": {"duid": "{{{ClientDuidText}}}"}}"""))!;
        Assert.Equal(0, added["result"]!.GetValue<int>());

        var (blockedCode, blockedOutput) = client.Obtain("-cf", dhclientConf);
        Assert.True(blockedCode != 0, blockedOutput + server.Output);
        Assert.Empty(client.Addresses());
        Assert.DoesNotContain(server.LeaseRows(), row => row.Contains(ClientDuidText, StringComparison.Ordinal));

        var listed = Curl("""{"command": "block-list-get", "service": ["dhcp6"]}""");
        var duids = Assert.Single(JsonNode.Parse(listed)!.AsArray())!["arguments"]!["duids"]!.AsArray();
        Assert.Equal(ClientDuidText.Replace(":", "", StringComparison.Ordinal), Assert.Single(duids)!.GetValue<string>());

        var removed = Curl($$$"""{"command": "block-list-remove", "service": ["dhcp6"], "arguments": {"duid": "{{{ClientDuidText}}}"}}""");
        Assert.Equal(0, Assert.Single(JsonNode.Parse(removed)!.AsArray())!["result"]!.GetValue<int>());

        var (code, output) = client.Obtain("-cf", dhclientConf);
        Assert.True(code == 0, output + server.Output);
        var address = Assert.Single(client.Addresses());
        Assert.Contains(server.LeaseRows(), row => row.StartsWith(address + "," + ClientDuidText + ",", StringComparison.Ordinal));
    }

    private static string Socat(ServerProcess server, string command) =>
        Run.Checked("bash", "-c", $"printf '%s' '{command}' | socat -t 5 UNIX:{Path.Combine(server.Directory, "ctrl")} -");

    private string Curl(string command) =>
        Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "curl", "-s", "-H", "Content-Type: application/json",
            "-d", command, "http://[::1]:8000/").Output;
}
