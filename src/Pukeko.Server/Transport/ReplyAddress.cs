using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Transport;

/// <summary>
/// A socket address for replies that is rewritten in place, so a send allocates nothing (an <see cref="IPEndPoint"/>
/// and its <see cref="IPAddress"/> per reply were garbage on every packet). One per sending thread.
/// </summary>
/// <remarks>
/// The template comes from the runtime's own serialisation of an IPv6 end point (Linux <c>sockaddr_in6</c>: family,
/// port in network order, flow info, the 16 address bytes, the scope id in host order); only port, address and scope
/// are written afterwards.
/// </remarks>
internal sealed class ReplyAddress
{
    private const int PortOffset = 2;
    private const int AddressOffset = 8;
    private const int ScopeOffset = 24;

    public SocketAddress Value { get; } = new IPEndPoint(IPAddress.IPv6Any, 0).Serialize();

    /// <summary>Points <see cref="Value"/> at <paramref name="destination"/>; a link-local or multicast destination needs its interface as scope.</summary>
    public SocketAddress Set(Ipv6Address destination, ushort port, uint scopeId)
    {
        var bytes = Value.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[PortOffset..], port);
        destination.Write(bytes.Slice(AddressOffset, 16));
        BitConverter.TryWriteBytes(bytes.Slice(ScopeOffset, 4), scopeId);
        return Value;
    }
}
