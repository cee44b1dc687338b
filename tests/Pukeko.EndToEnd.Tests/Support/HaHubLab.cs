namespace Pukeko.EndToEnd.Tests.Support;

/// <summary>
/// Two links for HA hub and spoke: link A holds spoke A (2001:db8:1::1), a client and the hub (2001:db8:1::9);
/// link B holds spoke B (2001:db8:2::1), another client and the hub again (2001:db8:2::9). Each link is a bridge in a
/// namespace of its own, every server and client a namespace with a veth into its link. Only link-local and
/// documentation addresses; no route out. Removed (with anything still running inside, by PID) on dispose.
/// </summary>
internal sealed class HaHubLab : IDisposable
{
    private static int _counter;

    private readonly List<string> _namespaces = [];

    public HaHubLab()
    {
        var id = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _counter)}";
        HubNamespace = $"pkk-hh-{id}";
        SpokeANamespace = $"pkk-hsa-{id}";
        SpokeBNamespace = $"pkk-hsb-{id}";
        ClientANamespace = $"pkk-hca-{id}";
        ClientBNamespace = $"pkk-hcb-{id}";
        try
        {
            foreach (var ns in new[] { HubNamespace, SpokeANamespace, SpokeBNamespace, ClientANamespace, ClientBNamespace, $"pkk-hla-{id}", $"pkk-hlb-{id}" })
            {
                Add(ns);
            }

            Link($"pkk-hla-{id}", $"pha{id}", [(HubNamespace, HubInterfaceA, "02:00:00:00:ac:09"), (SpokeANamespace, SpokeInterface, "02:00:00:00:ac:01"), (ClientANamespace, ClientInterface, "02:00:00:00:ac:03")]);
            Link($"pkk-hlb-{id}", $"phb{id}", [(HubNamespace, HubInterfaceB, "02:00:00:00:ad:09"), (SpokeBNamespace, SpokeInterface, "02:00:00:00:ad:01"), (ClientBNamespace, ClientInterface, "02:00:00:00:ad:03")]);
            Address(HubNamespace, HubInterfaceA, HubAddressA);
            Address(HubNamespace, HubInterfaceB, HubAddressB);
            Address(SpokeANamespace, SpokeInterface, SpokeAAddress);
            Address(SpokeBNamespace, SpokeInterface, SpokeBAddress);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public const string HubAddressA = "2001:db8:1::9";

    public const string HubAddressB = "2001:db8:2::9";

    public const string SpokeAAddress = "2001:db8:1::1";

    public const string SpokeBAddress = "2001:db8:2::1";

    public string HubNamespace { get; }

    public string SpokeANamespace { get; }

    public string SpokeBNamespace { get; }

    public string ClientANamespace { get; }

    public string ClientBNamespace { get; }

    /// <summary>The hub's interface on link A.</summary>
    public string HubInterfaceA => "pkh0";

    /// <summary>The hub's interface on link B.</summary>
    public string HubInterfaceB => "pkh1";

    /// <summary>Each spoke's interface (same name in both spoke namespaces).</summary>
    public string SpokeInterface => "pks0";

    /// <summary>Each client's interface.</summary>
    public string ClientInterface => "pkc0";

    private void Add(string ns)
    {
        Run.Checked("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0");
        Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0");
        Run.Checked("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /// <summary>A bridge in <paramref name="bridgeNamespace"/> and a veth from each end into it, up with a link-local address.</summary>
    private static void Link(string bridgeNamespace, string prefix, (string Namespace, string Interface, string Mac)[] ends)
    {
        // No multicast snooping: without an MLD querier it could keep DHCP's multicast from some ports.
        Run.Checked("ip", "-n", bridgeNamespace, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        Run.Checked("ip", "-n", bridgeNamespace, "link", "set", "br0", "up");
        for (var i = 0; i < ends.Length; i++)
        {
            var (ns, name, mac) = ends[i];
            var port = $"pkb{i}";
            Run.Checked("ip", "link", "add", $"{prefix}{i}a", "netns", ns, "type", "veth", "peer", "name", $"{prefix}{i}b", "netns", bridgeNamespace);
            Run.Checked("ip", "-n", ns, "link", "set", $"{prefix}{i}a", "name", name);
            Run.Checked("ip", "-n", bridgeNamespace, "link", "set", $"{prefix}{i}b", "name", port);
            Run.Checked("ip", "-n", bridgeNamespace, "link", "set", port, "master", "br0");
            Run.Checked("ip", "-n", bridgeNamespace, "link", "set", port, "up");
            Run.Checked("ip", "-n", ns, "link", "set", name, "address", mac);
            Run.Checked("ip", "netns", "exec", ns, "sysctl", "-q", "-w", $"net.ipv6.conf.{name}.accept_dad=0");
            Run.Checked("ip", "-n", ns, "link", "set", name, "up");
        }

        foreach (var (ns, name, _) in ends)
        {
            if (!Run.WaitFor(() => Run.Command("ip", "-n", ns, "-6", "addr", "show", "dev", name, "scope", "link").Output is var text && text.Contains("fe80::", StringComparison.Ordinal) && !text.Contains("tentative", StringComparison.Ordinal), TimeSpan.FromSeconds(10)))
            {
                throw new InvalidOperationException($"no link-local address on {name} in {ns}");
            }
        }
    }

    private static void Address(string ns, string name, string address) =>
        Run.Checked("ip", "-n", ns, "addr", "add", address + "/64", "dev", name, "nodad");

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            NetworkLab.RemoveNamespace(ns);
        }
    }
}
