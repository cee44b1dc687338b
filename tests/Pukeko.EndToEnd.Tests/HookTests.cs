using System.Diagnostics;
using Pukeko.EndToEnd.Tests.Support;

namespace Pukeko.EndToEnd.Tests;

/// <summary>Hook libraries loaded by the real server from the config, seen by a real dhclient -6.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HookTests : IDisposable
{
    private readonly NetworkLab _lab = new();
    private readonly string _clientDir = Directory.CreateTempSubdirectory("pukeko-dhclient-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("pukeko-hooks-e2e-").FullName;

    public void Dispose()
    {
        _lab.Dispose();
        Directory.Delete(_clientDir, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    private static string RepoRoot => HookTutorial.RepoRoot;

    /// <summary>An example library as the solution build left it (same configuration as the server).</summary>
    private static string Example(string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepoRoot, "examples", "hooks", name, "bin", configuration, "net10.0", name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("example not built", path);
    }

    private static string WithHooks(string libraries) => Configs.Basic(extra: $"\"hooks-libraries\": [ {libraries} ],");

    [Fact]
    public void LifetimePolicyExampleChangesWhatDhclientReceives()
    {
        using var server = ServerProcess.Start(_lab, WithHooks($$"""{ "library": "{{Example("LifetimePolicy")}}", "parameters": { "valid-lifetime": 1234, "preferred-lifetime": 1000 } }"""));
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        var lease = File.ReadAllText(client.LeaseFile);
        Assert.Contains("max-life 1234", lease, StringComparison.Ordinal);
        Assert.Contains("preferred-life 1000", lease, StringComparison.Ordinal);
        Assert.Contains("HOOKS_LIBRARY_LOADED", File.ReadAllText(server.LogFile), StringComparison.Ordinal);
    }

    /// <summary>docs/hooks.md's tutorial as written (packed SDK, template from the package, an empty HOME), then a real client.</summary>
    [Fact]
    public void TemplateLibraryBuiltOutsideTheRepositoryChangesWhatDhclientReceives()
    {
        using var tutorial = new HookTutorial();
        var markdown = HookTutorial.Document;
        var built = tutorial.RunBuildSteps(markdown);
        var library = tutorial.LibraryPath(markdown);
        Assert.True(File.Exists(library), built);
        using var server = ServerProcess.Start(_lab, WithHooks($$"""{ "library": "{{library}}", "parameters": { "valid-lifetime": 2345, "preferred-lifetime": 2000 } }"""));
        using var client = new Dhclient(_lab, _clientDir);
        var (code, output) = client.Obtain();
        Assert.True(code == 0, output + server.Output);
        Assert.Contains("max-life 2345", File.ReadAllText(client.LeaseFile), StringComparison.Ordinal);
    }

    [Fact]
    public void LeaseNotifierPostsEachLeaseToAnEndpointBeforeTheReply()
    {
        Run.Checked("ip", "netns", "exec", _lab.ServerNamespace, "ip", "link", "set", "lo", "up");
        var posts = Path.Combine(_work, "posts.jsonl");
        const string Endpoint = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    with open(sys.argv[1], 'ab') as f:
                        f.write(body + b'\n')
                    self.send_response(204)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(('127.0.0.1', 8467), H).serve_forever()
            """;
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", _lab.ServerNamespace, "python3", "-c", Endpoint, posts })
        {
            info.ArgumentList.Add(arg);
        }

        using var endpoint = Process.Start(info)!;
        try
        {
            Assert.True(Run.WaitFor(() => Run.Command("ip", "netns", "exec", _lab.ServerNamespace, "python3", "-c", "import socket; socket.create_connection(('127.0.0.1', 8467), 1)").ExitCode == 0, TimeSpan.FromSeconds(10)));
            using var server = ServerProcess.Start(_lab, WithHooks($$"""{ "library": "{{Example("LeaseNotifier")}}", "parameters": { "url": "http://127.0.0.1:8467/leases", "timeout-ms": 3000 } }"""));
            using var client = new Dhclient(_lab, _clientDir);
            var (code, output) = client.Obtain();
            Assert.True(code == 0, output + server.Output);
            var address = client.Addresses().Last();

            // The Reply to the Request that posted waits for the post. On a loaded machine the first
            // post can outlast dhclient's 1 s retransmission, and the retransmitted Request is then
            // answered from the lease cache with nothing new to post: so wait for the post, bounded.
            Assert.True(
                Run.WaitFor(() => File.Exists(posts) && File.ReadAllText(posts).Contains($"\"address\":\"{address}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15)),
                server.Output);
        }
        finally
        {
            endpoint.Kill();
            endpoint.WaitForExit();
        }
    }

    [Fact]
    public void PacketCaptureWritesAPcapOfTheExchange()
    {
        var pcap = Path.Combine(_work, "dhcp6.pcap");
        using (var server = ServerProcess.Start(_lab, WithHooks($$"""{ "library": "{{Example("PacketCapture")}}", "parameters": { "file": "{{pcap}}" } }""")))
        using (var client = new Dhclient(_lab, _clientDir))
        {
            var (code, output) = client.Obtain();
            Assert.True(code == 0, output + server.Output);
        }

        var text = Run.Checked("tcpdump", "-n", "-r", pcap);
        Assert.Contains("dhcp6 solicit", text, StringComparison.Ordinal);
        Assert.Contains("dhcp6 advertise", text, StringComparison.Ordinal);
        Assert.Contains("dhcp6 request", text, StringComparison.Ordinal);
        Assert.Contains("dhcp6 reply", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigCheckRejectsAMissingLibraryAndIgnoresKeaCommandLibraries()
    {
        var bad = Path.Combine(_work, "bad.conf");
        File.WriteAllText(bad, WithHooks($$"""{ "library": "{{_work}}/Missing.dll" }""").Replace("{dir}", _work, StringComparison.Ordinal).Replace("{iface}", "lo", StringComparison.Ordinal));
        var (code, output) = Run.Command(ServerProcess.Executable, "-t", bad);
        Assert.Equal(1, code);
        Assert.Contains("Missing.dll: file not found", output, StringComparison.Ordinal);

        var kea = Path.Combine(_work, "kea.conf");
        File.WriteAllText(kea, WithHooks("""{ "library": "libdhcp_lease_cmds.so" }, { "library": "/usr/lib/kea/hooks/libdhcp_stat_cmds.so" }""").Replace("{dir}", _work, StringComparison.Ordinal).Replace("{iface}", "lo", StringComparison.Ordinal));
        var (keaCode, keaOutput) = Run.Command(ServerProcess.Executable, "-t", kea);
        Assert.True(keaCode == 0, keaOutput);
    }
}
