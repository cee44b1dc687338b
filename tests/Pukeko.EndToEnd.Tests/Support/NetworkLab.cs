namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair: the server side and the client side. Only
/// link-local and documentation addresses; no route out. Removed (with anything still running
/// inside, by PID) on dispose.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    private static int _counter;

    public NetworkLab()
    {
        var id = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _counter)}";
        ServerNamespace = $"pkk-s{id}";
        ClientNamespace = $"pkk-c{id}";
        ServerInterface = "pks0";
        ClientInterface = "pkc0";
        try
        {
            Run.Checked("ip", "netns", "add", ServerNamespace);
            Run.Checked("ip", "netns", "add", ClientNamespace);
            foreach (var ns in new[] { ServerNamespace, ClientNamespace })
            {
                // No duplicate address detection: link-local addresses are usable at once.
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
                Run.Checked("ip", "-n", ns, "link", "set", "lo", "up");
            }

            Run.Checked("ip", "link", "add", $"pkv{id}a", "netns", ServerNamespace, "type", "veth", "peer", "name", $"pkv{id}b", "netns", ClientNamespace);
            Run.Checked("ip", "-n", ServerNamespace, "link", "set", $"pkv{id}a", "name", ServerInterface);
            Run.Checked("ip", "-n", ClientNamespace, "link", "set", $"pkv{id}b", "name", ClientInterface);
            Run.Checked("ip", "-n", ServerNamespace, "link", "set", ServerInterface, "address", "02:00:00:00:aa:01");
            Run.Checked("ip", "-n", ClientNamespace, "link", "set", ClientInterface, "address", "02:00:00:00:aa:02");
            // The ends were created with the host's defaults; turn DAD off on them too.
            Run.Checked("ip", "netns", "exec", ServerNamespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{ServerInterface}.accept_dad=0");
            Run.Checked("ip", "netns", "exec", ClientNamespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{ClientInterface}.accept_dad=0");
            Run.Checked("ip", "-n", ServerNamespace, "link", "set", ServerInterface, "up");
            Run.Checked("ip", "-n", ClientNamespace, "link", "set", ClientInterface, "up");
            Run.Checked("ip", "-n", ServerNamespace, "addr", "add", "2001:db8:1::1/64", "dev", ServerInterface, "nodad");

            // Clients bind to the link-local address, which the kernel adds shortly after link-up.
            foreach (var (ns, iface) in new[] { (ServerNamespace, ServerInterface), (ClientNamespace, ClientInterface) })
            {
                if (!Run.WaitFor(() => Run.Command("ip", "-n", ns, "-6", "addr", "show", "dev", iface, "scope", "link").Output is var text && text.Contains("fe80::", StringComparison.Ordinal) && !text.Contains("tentative", StringComparison.Ordinal), TimeSpan.FromSeconds(10)))
                {
                    throw new InvalidOperationException($"no link-local address on {iface} in {ns}");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ServerNamespace { get; }

    public string ClientNamespace { get; }

    public string ServerInterface { get; }

    public string ClientInterface { get; }

    public void Dispose()
    {
        foreach (var ns in new[] { ServerNamespace, ClientNamespace })
        {
            // Kill whatever a failed test left running inside, by PID, then remove the namespace.
            var (code, pids) = Run.Command("ip", "netns", "pids", ns);
            if (code == 0)
            {
                foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    Run.Command("kill", "-9", pid);
                }
            }

            Run.Command("ip", "netns", "delete", ns);
        }
    }
}
