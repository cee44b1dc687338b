namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Two network namespaces joined by a veth pair: the server side and the client side. With
/// <c>withRelay</c>, a third namespace sits between them (server 2001:db8:1::1 — relay uplink
/// 2001:db8:1::2; relay downlink 2001:db8:2::1 — client), so a relay agent can run there. Only
/// link-local and documentation addresses; no route out. Removed (with anything still running
/// inside, by PID) on dispose.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    private static int _counter;

    public NetworkLab(bool withRelay = false)
    {
        var id = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _counter)}";
        ServerNamespace = $"pkk-s{id}";
        ClientNamespace = $"pkk-c{id}";
        RelayNamespace = withRelay ? $"pkk-r{id}" : null;
        ServerInterface = "pks0";
        ClientInterface = "pkc0";
        try
        {
            Run.Checked("ip", "netns", "add", ServerNamespace);
            Run.Checked("ip", "netns", "add", ClientNamespace);
            if (RelayNamespace is not null)
            {
                Run.Checked("ip", "netns", "add", RelayNamespace);
            }

            foreach (var ns in Namespaces)
            {
                // No duplicate address detection: link-local addresses are usable at once.
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
                Run.Checked("ip", "-n", ns, "link", "set", "lo", "up");
            }

            // Without a relay the server's end faces the client; with one, the relay's uplink.
            var serverPeer = RelayNamespace ?? ClientNamespace;
            var serverPeerName = RelayNamespace is null ? ClientInterface : RelayUplink;
            Run.Checked("ip", "link", "add", $"pkv{id}a", "netns", ServerNamespace, "type", "veth", "peer", "name", $"pkv{id}b", "netns", serverPeer);
            Run.Checked("ip", "-n", ServerNamespace, "link", "set", $"pkv{id}a", "name", ServerInterface);
            Run.Checked("ip", "-n", serverPeer, "link", "set", $"pkv{id}b", "name", serverPeerName);
            if (RelayNamespace is not null)
            {
                Run.Checked("ip", "link", "add", $"pkv{id}c", "netns", RelayNamespace, "type", "veth", "peer", "name", $"pkv{id}d", "netns", ClientNamespace);
                Run.Checked("ip", "-n", RelayNamespace, "link", "set", $"pkv{id}c", "name", RelayDownlink);
                Run.Checked("ip", "-n", ClientNamespace, "link", "set", $"pkv{id}d", "name", ClientInterface);
                foreach (var iface in new[] { RelayUplink, RelayDownlink })
                {
                    Run.Checked("ip", "netns", "exec", RelayNamespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{iface}.accept_dad=0");
                    Run.Checked("ip", "-n", RelayNamespace, "link", "set", iface, "up");
                }

                Run.Checked("ip", "-n", RelayNamespace, "addr", "add", "2001:db8:1::2/64", "dev", RelayUplink, "nodad");
                Run.Checked("ip", "-n", RelayNamespace, "addr", "add", "2001:db8:2::1/64", "dev", RelayDownlink, "nodad");
            }

            Run.Checked("ip", "-n", ServerNamespace, "link", "set", ServerInterface, "address", "02:00:00:00:aa:01");
            Run.Checked("ip", "-n", ClientNamespace, "link", "set", ClientInterface, "address", "02:00:00:00:aa:02");
            // The ends were created with the host's defaults; turn DAD off on them too.
            Run.Checked("ip", "netns", "exec", ServerNamespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{ServerInterface}.accept_dad=0");
            Run.Checked("ip", "netns", "exec", ClientNamespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{ClientInterface}.accept_dad=0");
            Run.Checked("ip", "-n", ServerNamespace, "link", "set", ServerInterface, "up");
            Run.Checked("ip", "-n", ClientNamespace, "link", "set", ClientInterface, "up");
            Run.Checked("ip", "-n", ServerNamespace, "addr", "add", "2001:db8:1::1/64", "dev", ServerInterface, "nodad");

            // Clients bind to the link-local address, which the kernel adds shortly after link-up.
            var links = new List<(string, string)> { (ServerNamespace, ServerInterface), (ClientNamespace, ClientInterface) };
            if (RelayNamespace is not null)
            {
                links.Add((RelayNamespace, RelayUplink));
                links.Add((RelayNamespace, RelayDownlink));
            }

            foreach (var (ns, iface) in links)
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

    /// <summary>The middle namespace when the lab was built with a relay, else null.</summary>
    public string? RelayNamespace { get; }

    /// <summary>The relay's interface towards the server (2001:db8:1::2).</summary>
    public string RelayUplink => "pkr1";

    /// <summary>The relay's interface towards the client (2001:db8:2::1).</summary>
    public string RelayDownlink => "pkr0";

    private IEnumerable<string> Namespaces => RelayNamespace is null ? [ServerNamespace, ClientNamespace] : [ServerNamespace, RelayNamespace, ClientNamespace];

    public string ClientNamespace { get; }

    public string ServerInterface { get; }

    public string ClientInterface { get; }

    public void Dispose()
    {
        foreach (var ns in Namespaces)
        {
            NetworkLab.RemoveNamespace(ns);
        }
    }

    /// <summary>Kills whatever a failed test left running inside <paramref name="ns"/>, by PID, then removes it.</summary>
    internal static void RemoveNamespace(string ns)
    {
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
