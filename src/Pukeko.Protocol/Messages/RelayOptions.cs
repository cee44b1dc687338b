using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Messages;

/// <summary>
/// Lookups of options the relays added to a packet: Interface-ID for subnet selection,
/// Remote-ID (RFC 4649) and Subscriber-ID (RFC 4580) for reservations and client classes.
/// </summary>
public static class RelayOptions
{
    /// <summary>The option with <paramref name="code"/> from the relay levels <paramref name="search"/> visits, or null.</summary>
    public static DhcpOption? GetRelayOption(this Dhcp6Packet packet, ushort code, RelaySearch search)
    {
        ArgumentNullException.ThrowIfNull(packet);

        // Not Relays first: reading it gives a packet that was not relayed an empty list.
        if (!packet.IsRelayed)
        {
            return null;
        }

        var relays = packet.Relays;

        switch (search)
        {
            case RelaySearch.ClosestToClient:
                return relays[^1].Options.Get(code);
            case RelaySearch.ClosestToServer:
                return relays[0].Options.Get(code);
            case RelaySearch.FromClient:
                for (var i = relays.Count - 1; i >= 0; i--)
                {
                    if (relays[i].Options.Get(code) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                foreach (var relay in relays)
                {
                    if (relay.Options.Get(code) is { } found)
                    {
                        return found;
                    }
                }

                return null;
        }
    }

    /// <summary>The option from relay level <paramref name="level"/> (0 = closest to the server), or null.</summary>
    public static DhcpOption? GetRelayOption(this Dhcp6Packet packet, ushort code, int level)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return packet.IsRelayed && level >= 0 && level < packet.Relays.Count ? packet.Relays[level].Options.Get(code) : null;
    }

    /// <summary>The Remote-ID the relay closest to the client added (searching outwards), or null.</summary>
    public static RemoteIdOption? RemoteId(this Dhcp6Packet packet) =>
        packet.GetRelayOption(OptionCode.RemoteId, RelaySearch.FromClient) as RemoteIdOption;

    /// <summary>The Subscriber-ID payload the relay closest to the client added (searching outwards), or null.</summary>
    public static byte[]? SubscriberId(this Dhcp6Packet packet) =>
        packet.GetRelayOption(OptionCode.SubscriberId, RelaySearch.FromClient) switch
        {
            RawOption raw => raw.Data,
            { } other => Serialize(other),
            null => null,
        };

    /// <summary>The Interface-ID payload of the relay closest to the client (Kea's subnet selector uses only that level).</summary>
    public static byte[]? InterfaceId(this Dhcp6Packet packet) =>
        packet.GetRelayOption(OptionCode.InterfaceId, RelaySearch.ClosestToClient) switch
        {
            RawOption raw => raw.Data,
            { } other => Serialize(other),
            null => null,
        };

    /// <summary>
    /// The link-address of the relay closest to the client that is neither :: nor link-local
    /// (RFC 8415 §19.1.1: such relays leave it unset), or null when none has one.
    /// </summary>
    public static Ipv6Address? FirstRelayLinkAddress(this Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        for (var i = packet.IsRelayed ? packet.Relays.Count - 1 : -1; i >= 0; i--)
        {
            var link = packet.Relays[i].LinkAddress;
            if (!link.IsUnspecified && !link.IsLinkLocal)
            {
                return link;
            }
        }

        return null;
    }

    private static byte[] Serialize(DhcpOption option)
    {
        var data = new byte[option.DataLength];
        option.WriteData(data);
        return data;
    }
}
