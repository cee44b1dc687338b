using System.Buffers.Binary;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Server.Allocation;

/// <summary>
/// Learns a client's hardware address from the sources <c>mac-sources</c> lists, tried in the configured order as
/// Kea does. Within one entry that covers several sources (<c>any</c>) Kea's fixed order applies: raw socket, the
/// Client Link-Layer Address option (RFC 6939), DUID-LLT/LL, the EUI-64 link-local address, remote-id (RFC 4649),
/// then the DOCSIS CMTS and modem vendor options. The result fills the lease's hwaddr, hwtype and hwaddr_source.
/// </summary>
internal static class HardwareAddressFinder
{
    /// <summary>Kea's hwaddr_source bits (lease file column 17).</summary>
    public const uint SourceRaw = 1;
    public const uint SourceDuid = 2;
    public const uint SourceLinkLocal = 4;
    public const uint SourceClientLinkLayerOption = 8;
    public const uint SourceRemoteId = 0x10;
    public const uint SourceSubscriberId = 0x20;
    public const uint SourceDocsisCmts = 0x40;
    public const uint SourceDocsisModem = 0x80;
    public const uint SourceAny = 0xFFFFFFFF;

    /// <summary>Kea's default <c>mac-sources</c>: <c>["any"]</c>.</summary>
    public static readonly IReadOnlyList<uint> DefaultSources = [SourceAny];

    /// <summary>CableLabs' enterprise number and its DOCSIS 3 vendor sub-options Kea reads.</summary>
    private const uint CableLabs = 4491;
    private const ushort DocsisDeviceId = 36;
    private const ushort DocsisCmtsCableModemMac = 1026;

    /// <summary>Kea records DOCSIS addresses with hardware type 1 (HTYPE_DOCSIS).</summary>
    private const ushort DocsisHardwareType = 1;

    /// <summary>
    /// Kea takes the hardware type of link-local and remote-id addresses from the receiving interface; Pukeko
    /// serves Ethernet-type interfaces, whose type is 1.
    /// </summary>
    private const ushort InterfaceHardwareType = 1;

    /// <summary>Kea's longest hardware address (HWAddr::MAX_HWADDR_LEN); longer remote-ids are cut.</summary>
    private const int MaxHardwareAddressLength = 20;

    public static (byte[]? Address, ushort Type, uint Source) Find(Dhcp6Packet query, byte[] duidBytes) =>
        Find(query, duidBytes, DefaultSources);

    public static (byte[]? Address, ushort Type, uint Source) Find(Dhcp6Packet query, byte[] duidBytes, IReadOnlyList<uint> sources)
    {
        // By index: a foreach over the interface would allocate an enumerator per packet.
        for (var i = 0; i < sources.Count; i++)
        {
            var found = FindIn(query, duidBytes, sources[i]);
            if (found.Address is not null)
            {
                return found;
            }
        }

        return (null, 0, 0);
    }

    /// <summary>One <c>mac-sources</c> entry: every source its bits name, in Kea's order; the first that yields wins.</summary>
    private static (byte[]? Address, ushort Type, uint Source) FindIn(Dhcp6Packet query, byte[] duidBytes, uint wanted)
    {
        // Raw sockets (bit 1) never give Kea a DHCPv6 client's address: it reads DHCPv6 over UDP sockets, as Pukeko does.
        if ((wanted & SourceClientLinkLayerOption) != 0 && FromClientLinkLayerOption(query) is { Address: not null } relayOption)
        {
            return relayOption;
        }

        if ((wanted & SourceDuid) != 0 && FromDuid(duidBytes) is { Address: not null } duid)
        {
            return duid;
        }

        if ((wanted & SourceLinkLocal) != 0 && FromLinkLocal(query) is { Address: not null } linkLocal)
        {
            return linkLocal;
        }

        if ((wanted & SourceRemoteId) != 0 && FromRemoteId(query) is { Address: not null } remoteId)
        {
            return remoteId;
        }

        // subscriber-id (bit 0x20) is accepted by Kea's configuration but no code of Kea's reads it: nothing found.
        if ((wanted & SourceDocsisCmts) != 0 && FromDocsisCmts(query) is { Address: not null } cmts)
        {
            return cmts;
        }

        if ((wanted & SourceDocsisModem) != 0 && FromDocsisModem(query) is { Address: not null } modem)
        {
            return modem;
        }

        return (null, 0, 0);
    }

    private static (byte[]? Address, ushort Type, uint Source) FromDuid(byte[] duidBytes)
    {
        if (duidBytes.Length < 2)
        {
            return (null, 0, 0);
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(duidBytes);
        return type switch
        {
            (ushort)DuidType.Llt when duidBytes.Length >= 9 => (duidBytes[8..], BinaryPrimitives.ReadUInt16BigEndian(duidBytes.AsSpan(2)), SourceDuid),
            (ushort)DuidType.Ll when duidBytes.Length >= 5 => (duidBytes[4..], BinaryPrimitives.ReadUInt16BigEndian(duidBytes.AsSpan(2)), SourceDuid),
            _ => (null, 0, 0),
        };
    }

    /// <summary>A direct client's source address, or for a relayed one the peer-address of the relay next to it.</summary>
    private static (byte[]? Address, ushort Type, uint Source) FromLinkLocal(Dhcp6Packet query)
    {
        var address = query.IsRelayed ? query.Relays[^1].PeerAddress : query.RemoteAddress;
        Span<byte> bytes = stackalloc byte[16];
        address.Write(bytes);

        // fe80::/10 with an EUI-64 interface id: universal bit set, group bit clear, ff:fe in the middle.
        if (bytes[0] != 0xFE || (bytes[1] & 0xC0) != 0x80 || (bytes[8] & 3) != 2 || bytes[11] != 0xFF || bytes[12] != 0xFE)
        {
            return (null, 0, 0);
        }

        byte[] mac = [(byte)(bytes[8] ^ 0x02), bytes[9], bytes[10], bytes[13], bytes[14], bytes[15]];
        return (mac, InterfaceHardwareType, SourceLinkLocal);
    }

    /// <summary>RFC 6939: the relay closest to the client saw its link-layer address (type + address).</summary>
    private static (byte[]? Address, ushort Type, uint Source) FromClientLinkLayerOption(Dhcp6Packet query)
    {
        if (query.IsRelayed && query.Relays[^1].Options.Get(OptionCode.ClientLinkLayerAddr) is { DataLength: >= 3 } option)
        {
            var data = option.GetData();
            return (data[2..], BinaryPrimitives.ReadUInt16BigEndian(data), SourceClientLinkLayerOption);
        }

        return (null, 0, 0);
    }

    /// <summary>RFC 4649: the closest relay's remote-id after its 4-byte enterprise number.</summary>
    private static (byte[]? Address, ushort Type, uint Source) FromRemoteId(Dhcp6Packet query)
    {
        if (query.IsRelayed && query.Relays[^1].Options.Get(OptionCode.RemoteId) is { DataLength: >= 5 } option)
        {
            var data = option.GetData();
            var length = Math.Min(data.Length - 4, MaxHardwareAddressLength);
            return (data[4..(4 + length)], InterfaceHardwareType, SourceRemoteId);
        }

        return (null, 0, 0);
    }

    /// <summary>The cable modem's MAC a CMTS put in its CableLabs vendor option; relays searched from the client out.</summary>
    private static (byte[]? Address, ushort Type, uint Source) FromDocsisCmts(Dhcp6Packet query)
    {
        for (var i = query.IsRelayed ? query.Relays.Count - 1 : -1; i >= 0; i--)
        {
            foreach (var option in query.Relays[i].Options.GetAll(OptionCode.VendorOpts))
            {
                if (CableLabsSubOption(option, DocsisCmtsCableModemMac) is { Length: > 0 } mac)
                {
                    return (mac, DocsisHardwareType, SourceDocsisCmts);
                }
            }
        }

        return (null, 0, 0);
    }

    /// <summary>The device-id a cable modem sends in its own CableLabs vendor option.</summary>
    private static (byte[]? Address, ushort Type, uint Source) FromDocsisModem(Dhcp6Packet query)
    {
        foreach (var option in query.Message.Options.GetAll(OptionCode.VendorOpts))
        {
            if (CableLabsSubOption(option, DocsisDeviceId) is { Length: > 0 } mac)
            {
                return (mac, DocsisHardwareType, SourceDocsisModem);
            }
        }

        return (null, 0, 0);
    }

    /// <summary>A sub-option's payload from a vendor option of CableLabs; null for other vendors or when absent.</summary>
    private static byte[]? CableLabsSubOption(DhcpOption option, ushort code)
    {
        if (option is VendorOptsOption vendor)
        {
            return vendor.EnterpriseNumber == CableLabs ? vendor.Options.Get(code)?.GetData() : null;
        }

        // Not decoded as a vendor option: walk its bytes (enterprise number, then code/length/value sub-options).
        var data = option.GetData();
        if (data.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(data) != CableLabs)
        {
            return null;
        }

        var offset = 4;
        while (offset + 4 <= data.Length)
        {
            var subCode = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            var subLength = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (offset + 4 + subLength > data.Length)
            {
                return null;
            }

            if (subCode == code)
            {
                return data[(offset + 4)..(offset + 4 + subLength)];
            }

            offset += 4 + subLength;
        }

        return null;
    }

    internal static bool IsEui64(Ipv6Address address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.Write(bytes);
        return bytes[11] == 0xFF && bytes[12] == 0xFE;
    }
}
