using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Pukeko.Server.Transport;

/// <summary>A network interface the server listens on.</summary>
internal sealed record InterfaceInfo(string Name, int Index)
{
    /// <summary>Resolves configured names (<c>"*"</c> = every non-loopback interface with IPv6).</summary>
    public static (List<InterfaceInfo> Found, List<string> Missing) Resolve(IEnumerable<string> names)
    {
        var all = new List<InterfaceInfo>();
        var loopback = new HashSet<string>(StringComparer.Ordinal);
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (!nic.Supports(NetworkInterfaceComponent.IPv6))
            {
                continue;
            }

            var index = nic.GetIPProperties().GetIPv6Properties()?.Index ?? 0;
            if (index == 0)
            {
                continue;
            }

            all.Add(new InterfaceInfo(nic.Name, index));
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                loopback.Add(nic.Name);
            }
        }

        var found = new List<InterfaceInfo>();
        var missing = new List<string>();
        foreach (var name in names)
        {
            if (name == "*")
            {
                found.AddRange(all.Where(i => !loopback.Contains(i.Name)));
                continue;
            }

            var match = all.Find(i => i.Name == name);
            if (match is null)
            {
                missing.Add(name);
            }
            else
            {
                found.Add(match);
            }
        }

        return (found.DistinctBy(i => i.Index).ToList(), missing);
    }

    /// <summary>
    /// What Kea's interface selection refuses on this system (it does so on <c>-t</c> too): a named interface
    /// that does not exist, or a unicast address the interface does not have. One (index, reason) per entry.
    /// </summary>
    public static List<(int Index, string Reason)> SystemProblems(IReadOnlyList<Configuration.InterfaceSpec> specs)
    {
        var present = NetworkInterface.GetAllNetworkInterfaces().ToDictionary(n => n.Name, StringComparer.Ordinal);
        var problems = new List<(int, string)>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (spec.IsWildcard)
            {
                continue;
            }

            if (!present.TryGetValue(spec.Name, out var nic))
            {
                problems.Add((i, $"Failed to select interface: interface '{spec.Name}' doesn't exist in the system"));
            }
            else if (spec.UnicastAddress is { } address
                && !nic.GetIPProperties().UnicastAddresses.Any(u => u.Address.AddressFamily == AddressFamily.InterNetworkV6
                    && Protocol.Addressing.Ipv6Address.FromIPAddress(u.Address) == address))
            {
                problems.Add((i, $"Failed to select interface: interface '{spec.Name}' doesn't have address '{address}' assigned"));
            }
        }

        return problems;
    }

    internal static bool IsIpv6Supported => Socket.OSSupportsIPv6;
}
