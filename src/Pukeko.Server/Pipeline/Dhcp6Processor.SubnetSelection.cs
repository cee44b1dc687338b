using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.Pipeline;

// Subnet selection (digest §3.4, Kea's CfgSubnets6::selectSubnet).
public sealed partial class Dhcp6Processor
{
    /// <summary>
    /// Picks the subnet for a query. A query counts as relayed for selection only when a relay
    /// gave a usable link-address or an Interface-ID; then the Interface-ID of the relay closest
    /// to the client is matched against <c>interface-id</c>, else that link-address against
    /// <c>relay.ip-addresses</c> (the subnet's own, or its shared network's when it has none),
    /// else against the subnet prefixes. Direct queries go by receiving interface, then by source
    /// address. Subnets are tried in id order and must accept the client's classes.
    /// </summary>
    public static Subnet6? SelectSubnet(Dhcp6Packet query, ServerRuntime runtime)
    {
        var subnets = runtime.SubnetsById;
        var classes = query.Classes;
        var link = query.FirstRelayLinkAddress();
        var interfaceId = query.IsRelayed ? query.InterfaceId() : null;
        if (link is null && interfaceId is null)
        {
            return SelectByInterface(subnets, query.InterfaceName, classes)
                ?? SelectByAddress(subnets, query.RemoteAddress, classes, isRelayAddress: false);
        }

        Subnet6? selected = null;
        if (interfaceId is not null)
        {
            selected = SelectByInterfaceId(subnets, interfaceId, classes);
        }

        return selected ?? SelectByAddress(subnets, link ?? Ipv6Address.Any, classes, isRelayAddress: true);
    }

    private static Subnet6? SelectByInterface(IReadOnlyList<Subnet6> subnets, string interfaceName, IReadOnlySet<string> classes)
    {
        if (interfaceName.Length == 0)
        {
            return null;
        }

        foreach (var subnet in subnets)
        {
            if (subnet.Interface == interfaceName && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static Subnet6? SelectByInterfaceId(IReadOnlyList<Subnet6> subnets, byte[] interfaceId, IReadOnlySet<string> classes)
    {
        foreach (var subnet in subnets)
        {
            if (subnet.InterfaceId is { } configured && configured.AsSpan().SequenceEqual(interfaceId) && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static Subnet6? SelectByAddress(IReadOnlyList<Subnet6> subnets, Ipv6Address address, IReadOnlySet<string> classes, bool isRelayAddress)
    {
        if (isRelayAddress)
        {
            foreach (var subnet in subnets)
            {
                // Kea looks at the shared network's relay list only when the subnet has none of its own.
                var relays = subnet.RelayAddresses.Count > 0 ? subnet.RelayAddresses : subnet.SharedNetwork?.RelayAddresses;
                if (relays is not null && Contains(relays, address) && subnet.ClientSupported(classes))
                {
                    return subnet;
                }
            }
        }

        if (address.IsUnspecified)
        {
            return null;
        }

        foreach (var subnet in subnets)
        {
            if (subnet.Prefix.Contains(address) && subnet.ClientSupported(classes))
            {
                return subnet;
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<Ipv6Address> addresses, Ipv6Address address)
    {
        foreach (var candidate in addresses)
        {
            if (candidate == address)
            {
                return true;
            }
        }

        return false;
    }
}
