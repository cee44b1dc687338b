using System.Buffers.Binary;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;

namespace PacketCapture;

/// <summary>
/// Writes every received and sent DHCPv6 datagram to a pcap file (<c>parameters.file</c>),
/// as raw IPv6/UDP packets (LINKTYPE_RAW) that <c>tcpdump -r</c> and Wireshark read. Hooks
/// <c>buffer6_receive</c> (before parsing: even malformed packets are captured) and
/// <c>buffer6_send</c> (the exact bytes sent).
/// </summary>
public sealed class PacketCaptureLibrary : HookLibrary
{
    private const int LinkTypeRaw = 101;
    private readonly Lock _lock = new();
    private FileStream? _file;

    public override bool MultiThreadingCompatible => true;

    public override int Load(LibraryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.GetParameter("file")?.GetString() is not { Length: > 0 } path)
        {
            return 1;
        }

        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4); // microsecond timestamps
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeRaw);
        _file.Write(header);
        _file.Flush();
        return 0;
    }

    public override int Unload()
    {
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }

        return 0;
    }

    public int Buffer6Receive(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var query = handle.GetArgument<Dhcp6Packet>("query6");
        Write(query.RemoteAddress, query.RemotePort, query.LocalAddress, query.LocalPort, query.Data ?? []);
        return 0;
    }

    public int Buffer6Send(CalloutHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var response = handle.GetArgument<Dhcp6Packet>("response6");
        Write(response.LocalAddress, response.LocalPort, response.RemoteAddress, response.RemotePort, response.Data ?? []);
        return 0;
    }

    private void Write(Ipv6Address source, ushort sourcePort, Ipv6Address destination, ushort destinationPort, byte[] payload)
    {
        var udpLength = 8 + payload.Length;
        var packet = new byte[40 + udpLength];
        packet[0] = 0x60; // version 6
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)udpLength);
        packet[6] = 17; // UDP
        packet[7] = 64;
        source.Write(packet.AsSpan(8));
        destination.Write(packet.AsSpan(24));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(40), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(42), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(44), (ushort)udpLength);
        payload.CopyTo(packet, 48);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(46), UdpChecksum(packet, udpLength));

        var now = DateTimeOffset.UtcNow;
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)now.ToUnixTimeSeconds());
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(now.ToUnixTimeMilliseconds() % 1000 * 1000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)packet.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)packet.Length);
        lock (_lock)
        {
            if (_file is null)
            {
                return;
            }

            _file.Write(record);
            _file.Write(packet);
            _file.Flush();
        }
    }

    /// <summary>RFC 8200 §8.1: the UDP checksum over the IPv6 pseudo-header is mandatory.</summary>
    private static ushort UdpChecksum(byte[] packet, int udpLength)
    {
        ulong sum = 0;
        for (var i = 8; i < 40; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(i));
        }

        sum += (uint)udpLength;
        sum += 17;
        for (var i = 40; i < 40 + udpLength; i += 2)
        {
            sum += i + 1 < 40 + udpLength ? BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(i)) : (ulong)(packet[i] << 8);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        var result = (ushort)~sum;
        return result == 0 ? (ushort)0xffff : result;
    }
}
