using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Learns a client's hardware address the way Kea's default <c>mac-sources: ["any"]</c> does:
/// from a DUID-LLT/LL first, else from an EUI-64 link-local source address, else (relayed clients)
/// from the Client Link-Layer Address option a relay added (RFC 6939).
/// </summary>
internal static class HardwareAddressFinder
{
    /// <summary>Kea's hwaddr_source bits.</summary>
    public const uint SourceDuid = 2;
    public const uint SourceLinkLocal = 4;
    public const uint SourceClientLinkLayerOption = 8;

    public static (byte[]? Address, ushort Type, uint Source) Find(Dhcp6Packet query, byte[] duidBytes)
    {
        if (duidBytes.Length >= 4)
        {
            var duid = new Duid(duidBytes);
            switch (duid.Type)
            {
                case DuidType.Llt when duidBytes.Length > 8:
                    return (duidBytes[8..], (ushort)((duidBytes[2] << 8) | duidBytes[3]), SourceDuid);
                case DuidType.Ll when duidBytes.Length > 4:
                    return (duidBytes[4..], (ushort)((duidBytes[2] << 8) | duidBytes[3]), SourceDuid);
            }
        }

        // Only direct clients: a relayed packet's source is the relay.
        if (!query.IsRelayed && query.RemoteAddress.IsLinkLocal)
        {
            Span<byte> bytes = stackalloc byte[16];
            query.RemoteAddress.Write(bytes);
            if (bytes[11] == 0xFF && bytes[12] == 0xFE)
            {
                var mac = new byte[6];
                mac[0] = (byte)(bytes[8] ^ 0x02);
                mac[1] = bytes[9];
                mac[2] = bytes[10];
                mac[3] = bytes[13];
                mac[4] = bytes[14];
                mac[5] = bytes[15];
                return (mac, 1, SourceLinkLocal);
            }
        }

        // RFC 6939: the relay closest to the client saw its link-layer address (type + address).
        if (query.IsRelayed && query.Relays[^1].Options.Get(Protocol.Options.OptionCode.ClientLinkLayerAddr) is { DataLength: > 2 } option)
        {
            var data = option.GetData();
            return (data[2..], (ushort)((data[0] << 8) | data[1]), SourceClientLinkLayerOption);
        }

        return (null, 0, 0);
    }

    internal static bool IsEui64(Ipv6Address address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.Write(bytes);
        return bytes[11] == 0xFF && bytes[12] == 0xFE;
    }
}
