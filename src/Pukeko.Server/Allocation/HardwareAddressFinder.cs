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

    /// <summary>Room for any hardware address an option may give: longer options are read into an array of their own.</summary>
    public const int ScratchLength = 256;

    public static (byte[]? Address, ushort Type, uint Source) Find(Dhcp6Packet query, byte[] duidBytes) =>
        Find(query, duidBytes, DefaultSources);

    public static (byte[]? Address, ushort Type, uint Source) Find(Dhcp6Packet query, byte[] duidBytes, IReadOnlyList<uint> sources)
    {
        var found = Find(query, duidBytes, sources, stackalloc byte[ScratchLength]);
        return found.IsFound ? (found.Address.ToArray(), found.Type, found.Source) : (null, 0, 0);
    }

    /// <summary>
    /// As <see cref="Find(Dhcp6Packet, byte[], IReadOnlyList{uint})"/>, without an array: the address found is a part of
    /// the DUID, of the query's options, or of <paramref name="scratch"/> (at least <see cref="ScratchLength"/> bytes).
    /// </summary>
    public static Found Find(Dhcp6Packet query, ReadOnlySpan<byte> duidBytes, IReadOnlyList<uint> sources, Span<byte> scratch)
    {
        // By index: a foreach over the interface would allocate an enumerator per packet.
        for (var i = 0; i < sources.Count; i++)
        {
            var found = FindIn(query, duidBytes, sources[i], scratch);
            if (found.IsFound)
            {
                return found;
            }
        }

        return default;
    }

    /// <summary>A hardware address found (its bytes, type and Kea's source bit), or none (<see cref="IsFound"/> false).</summary>
    public readonly ref struct Found(ReadOnlySpan<byte> address, ushort type, uint source)
    {
        public ReadOnlySpan<byte> Address { get; } = address;

        public ushort Type { get; } = type;

        public uint Source { get; } = source;

        public bool IsFound => Source != 0;
    }

    /// <summary>One <c>mac-sources</c> entry: every source its bits name, in Kea's order; the first that yields wins.</summary>
    private static Found FindIn(Dhcp6Packet query, ReadOnlySpan<byte> duidBytes, uint wanted, Span<byte> scratch)
    {
        // Raw sockets (bit 1) never give Kea a DHCPv6 client's address: it reads DHCPv6 over UDP sockets, as Pukeko does.
        if ((wanted & SourceClientLinkLayerOption) != 0 && FromClientLinkLayerOption(query, scratch) is { IsFound: true } relayOption)
        {
            return relayOption;
        }

        if ((wanted & SourceDuid) != 0 && FromDuid(duidBytes) is { IsFound: true } duid)
        {
            return duid;
        }

        if ((wanted & SourceLinkLocal) != 0 && FromLinkLocal(query, scratch) is { IsFound: true } linkLocal)
        {
            return linkLocal;
        }

        if ((wanted & SourceRemoteId) != 0 && FromRemoteId(query, scratch) is { IsFound: true } remoteId)
        {
            return remoteId;
        }

        // subscriber-id (bit 0x20) is accepted by Kea's configuration but no code of Kea's reads it: nothing found.
        if ((wanted & SourceDocsisCmts) != 0 && FromDocsisCmts(query) is { IsFound: true } cmts)
        {
            return cmts;
        }

        if ((wanted & SourceDocsisModem) != 0 && FromDocsisModem(query) is { IsFound: true } modem)
        {
            return modem;
        }

        return default;
    }

    private static Found FromDuid(ReadOnlySpan<byte> duidBytes)
    {
        if (duidBytes.Length < 2)
        {
            return default;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(duidBytes);
        return type switch
        {
            (ushort)DuidType.Llt when duidBytes.Length >= 9 => new Found(duidBytes[8..], BinaryPrimitives.ReadUInt16BigEndian(duidBytes[2..]), SourceDuid),
            (ushort)DuidType.Ll when duidBytes.Length >= 5 => new Found(duidBytes[4..], BinaryPrimitives.ReadUInt16BigEndian(duidBytes[2..]), SourceDuid),
            _ => default,
        };
    }

    /// <summary>A direct client's source address, or for a relayed one the peer-address of the relay next to it.</summary>
    private static Found FromLinkLocal(Dhcp6Packet query, Span<byte> scratch)
    {
        var address = query.IsRelayed ? query.Relays[^1].PeerAddress : query.RemoteAddress;
        Span<byte> bytes = stackalloc byte[16];
        address.Write(bytes);

        // fe80::/10 with an EUI-64 interface id: universal bit set, group bit clear, ff:fe in the middle.
        if (bytes[0] != 0xFE || (bytes[1] & 0xC0) != 0x80 || (bytes[8] & 3) != 2 || bytes[11] != 0xFF || bytes[12] != 0xFE)
        {
            return default;
        }

        var mac = scratch[..6];
        mac[0] = (byte)(bytes[8] ^ 0x02);
        mac[1] = bytes[9];
        mac[2] = bytes[10];
        mac[3] = bytes[13];
        mac[4] = bytes[14];
        mac[5] = bytes[15];
        return new Found(mac, InterfaceHardwareType, SourceLinkLocal);
    }

    /// <summary>RFC 6939: the relay closest to the client saw its link-layer address (type + address).</summary>
    private static Found FromClientLinkLayerOption(Dhcp6Packet query, Span<byte> scratch)
    {
        if (query.IsRelayed && query.Relays[^1].Options.Get(OptionCode.ClientLinkLayerAddr) is { DataLength: >= 3 } option)
        {
            var data = DataOf(option, scratch);
            return new Found(data[2..], BinaryPrimitives.ReadUInt16BigEndian(data), SourceClientLinkLayerOption);
        }

        return default;
    }

    /// <summary>RFC 4649: the closest relay's remote-id after its 4-byte enterprise number.</summary>
    private static Found FromRemoteId(Dhcp6Packet query, Span<byte> scratch)
    {
        if (query.IsRelayed && query.Relays[^1].Options.Get(OptionCode.RemoteId) is { DataLength: >= 5 } option)
        {
            var data = DataOf(option, scratch);
            var length = Math.Min(data.Length - 4, MaxHardwareAddressLength);
            return new Found(data[4..(4 + length)], InterfaceHardwareType, SourceRemoteId);
        }

        return default;
    }

    // An option's payload, written into scratch when it fits.
    private static ReadOnlySpan<byte> DataOf(DhcpOption option, Span<byte> scratch)
    {
        var length = option.DataLength;
        if (length > scratch.Length)
        {
            return option.GetData();
        }

        option.WriteData(scratch[..length]);
        return scratch[..length];
    }

    /// <summary>The cable modem's MAC a CMTS put in its CableLabs vendor option; relays searched from the client out.</summary>
    private static Found FromDocsisCmts(Dhcp6Packet query)
    {
        for (var i = query.IsRelayed ? query.Relays.Count - 1 : -1; i >= 0; i--)
        {
            foreach (var option in query.Relays[i].Options.GetAll(OptionCode.VendorOpts))
            {
                if (CableLabsSubOption(option, DocsisCmtsCableModemMac) is { Length: > 0 } mac)
                {
                    return new Found(mac, DocsisHardwareType, SourceDocsisCmts);
                }
            }
        }

        return default;
    }

    /// <summary>The device-id a cable modem sends in its own CableLabs vendor option.</summary>
    private static Found FromDocsisModem(Dhcp6Packet query)
    {
        foreach (var option in query.Message.Options.GetAll(OptionCode.VendorOpts))
        {
            if (CableLabsSubOption(option, DocsisDeviceId) is { Length: > 0 } mac)
            {
                return new Found(mac, DocsisHardwareType, SourceDocsisModem);
            }
        }

        return default;
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
