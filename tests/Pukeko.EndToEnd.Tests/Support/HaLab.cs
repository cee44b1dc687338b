namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// One link shared by two servers and a client, as an HA pair sees it: namespaces for server 1
/// (2001:db8:1::1), server 2 (2001:db8:1::2) and the client, each with a veth into a bridge that lives in a
/// fourth namespace; optionally a third server (2001:db8:1::3) for a backup. Only link-local and documentation
/// addresses; no route out. Removed (with anything still running inside, by PID) on dispose.
/// </summary>
internal sealed class HaLab : IDisposable
{
    private static int _counter;

    /// <param name="withThirdServer">Also a namespace for a third server (<see cref="Server3Address"/>), e.g. an HA backup.</param>
    public HaLab(bool withThirdServer = false)
    {
        var id = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _counter)}";
        Server1Namespace = $"pkk-ha1-{id}";
        Server2Namespace = $"pkk-ha2-{id}";
        ClientNamespace = $"pkk-hac-{id}";
        _bridgeNamespace = $"pkk-hab-{id}";
        Server3Namespace = withThirdServer ? $"pkk-ha3-{id}" : null;
        try
        {
            foreach (var ns in Namespaces)
            {
                Run.Checked("ip", "netns", "add", ns);
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
                Run.Checked("ip", "-n", ns, "link", "set", "lo", "up");
            }

            // No multicast snooping: without an MLD querier it could keep DHCP's multicast from some ports.
            Run.Checked("ip", "-n", _bridgeNamespace, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            Run.Checked("ip", "-n", _bridgeNamespace, "link", "set", "br0", "up");
            var ends = new List<(string, string, string)> { (Server1Namespace, ServerInterface, "02:00:00:00:ab:01"), (Server2Namespace, ServerInterface, "02:00:00:00:ab:02"), (ClientNamespace, ClientInterface, "02:00:00:00:ab:03") };
            if (Server3Namespace is not null)
            {
                ends.Add((Server3Namespace, ServerInterface, "02:00:00:00:ab:04"));
            }

            for (var i = 0; i < ends.Count; i++)
            {
                var (ns, name, mac) = ends[i];
                var port = $"pkb{i}";
                Run.Checked("ip", "link", "add", $"pkh{id}{i}a", "netns", ns, "type", "veth", "peer", "name", $"pkh{id}{i}b", "netns", _bridgeNamespace);
                Run.Checked("ip", "-n", ns, "link", "set", $"pkh{id}{i}a", "name", name);
                Run.Checked("ip", "-n", _bridgeNamespace, "link", "set", $"pkh{id}{i}b", "name", port);
                Run.Checked("ip", "-n", _bridgeNamespace, "link", "set", port, "master", "br0");
                Run.Checked("ip", "-n", _bridgeNamespace, "link", "set", port, "up");
                Run.Checked("ip", "-n", ns, "link", "set", name, "address", mac);
                Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", $"net.ipv6.conf.{name}.accept_dad=0");
                Run.Checked("ip", "-n", ns, "link", "set", name, "up");
            }

            Run.Checked("ip", "-n", Server1Namespace, "addr", "add", Server1Address + "/64", "dev", ServerInterface, "nodad");
            Run.Checked("ip", "-n", Server2Namespace, "addr", "add", Server2Address + "/64", "dev", ServerInterface, "nodad");
            if (Server3Namespace is not null)
            {
                Run.Checked("ip", "-n", Server3Namespace, "addr", "add", Server3Address + "/64", "dev", ServerInterface, "nodad");
            }
            foreach (var (ns, name, _) in ends)
            {
                if (!Run.WaitFor(() => Run.Command("ip", "-n", ns, "-6", "addr", "show", "dev", name, "scope", "link").Output is var text && text.Contains("fe80::", StringComparison.Ordinal) && !text.Contains("tentative", StringComparison.Ordinal), TimeSpan.FromSeconds(10)))
                {
                    throw new InvalidOperationException($"no link-local address on {name} in {ns}");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private readonly string _bridgeNamespace;

    public const string Server1Address = "2001:db8:1::1";

    public const string Server2Address = "2001:db8:1::2";

    public const string Server3Address = "2001:db8:1::3";

    public string Server1Namespace { get; }

    public string Server2Namespace { get; }

    /// <summary>The third server's namespace, when the lab was made with one.</summary>
    public string? Server3Namespace { get; }

    public string ClientNamespace { get; }

    /// <summary>Each server's interface (same name in both server namespaces).</summary>
    public string ServerInterface => "pks0";

    public string ClientInterface => "pkc0";

    private IEnumerable<string> Namespaces => Server3Namespace is null
        ? [Server1Namespace, Server2Namespace, ClientNamespace, _bridgeNamespace]
        : [Server1Namespace, Server2Namespace, Server3Namespace, ClientNamespace, _bridgeNamespace];

    /// <summary>
    /// Splits servers 1 and 2 from each other only (a blackhole route in each one's namespace to the other's address;
    /// the clients talk link-local and still reach both), or heals the split.
    /// </summary>
    public void SplitServers(bool split)
    {
        foreach (var (ns, partner) in new[] { (Server1Namespace, Server2Address), (Server2Namespace, Server1Address) })
        {
            var (code, text) = Run.Command("ip", "-n", ns, "-6", "route", split ? "add" : "del", "blackhole", partner + "/128");
            Assert.True(code == 0 || !split, text);
        }
    }

    public void Dispose()
    {
        foreach (var ns in Namespaces)
        {
            NetworkLab.RemoveNamespace(ns);
        }
    }
}
