using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Transport;

/// <summary>
/// One worker's batched socket calls (Linux <c>recvmmsg</c> and <c>sendmmsg</c>): the datagrams waiting in the socket
/// come in with one system call, up to the batch's capacity, and the replies to them leave with one. Under load that
/// takes most of two system calls off each exchange (a worker spends about half its time in the kernel, and on a
/// virtual machine each entry is dear); at light load a batch holds the one datagram there is and nothing waits.
/// </summary>
/// <remarks>
/// Datagrams land in native memory that never moves, with their sender and IPV6_PKTINFO. Each is copied out by whoever
/// takes it (<see cref="TryTake"/>): the owner, or, while the owner is stalled in a callout, another worker, so a
/// blocked worker does not hold the rest of its batch. Taking is under a lock that only such help contends for.
/// Replies are copied into native slots; one larger than a slot goes out on its own (<see cref="TryQueue"/> false).
/// </remarks>
internal sealed unsafe partial class MessageBatch : IDisposable
{
    /// <summary>A reply slot: any reply that fits an Ethernet frame; larger ones are sent on their own.</summary>
    internal const int ReplySlotBytes = 2048;

    private const int AddressFamilyInet6 = 10;
    private const int ProtocolIpv6 = 41;
    private const int Ipv6PacketInfo = 50;
    private const int WaitForOne = 0x10000;
    private const int Truncated = 0x20;
    private const int BadDescriptor = 9;
    private const int InterruptedCall = 4;
    private const int TryAgain = 11;
    private const int NotSocket = 88;
    private const short PollIn = 1;
    private const int SocketAddressBytes = 28;
    private const int SocketAddressStride = 32;
    private const int ControlBytes = 64;

    /// <summary>The receive slot: a query up to the transport's bound plus the byte that shows a larger one.</summary>
    private const int DataStride = (UdpTransport.MaxDatagram + 1 + 7) & ~7;


    private readonly SafeSocketHandle _socket;
    private readonly ILogger _log;
    private readonly int _capacity;
    private readonly Lock _takeLock = new();

    private readonly MessageHeaders* _receiveHeaders;
    private readonly IoVector* _receiveVectors;
    private readonly byte* _receiveNames;
    private readonly byte* _receiveControl;
    private readonly byte* _receiveData;

    private readonly MessageHeaders* _sendHeaders;
    private readonly IoVector* _sendVectors;
    private readonly byte* _sendNames;
    private readonly byte* _sendData;

    private int _count;
    private int _next;
    private int _queued;
    private bool _disposed;

    /// <param name="capacity">Datagrams per receive and replies per send; 1 makes every call a single one.</param>
    public MessageBatch(Socket socket, int capacity, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _socket = socket.SafeHandle;
        _log = log;
        _capacity = capacity;

        _receiveHeaders = Allocate<MessageHeaders>(capacity);
        _receiveVectors = Allocate<IoVector>(capacity);
        _receiveNames = Allocate<byte>(capacity * SocketAddressStride);
        _receiveControl = Allocate<byte>(capacity * ControlBytes);
        _receiveData = Allocate<byte>(capacity * DataStride);
        _sendHeaders = Allocate<MessageHeaders>(capacity);
        _sendVectors = Allocate<IoVector>(capacity);
        _sendNames = Allocate<byte>(capacity * SocketAddressStride);
        _sendData = Allocate<byte>(capacity * ReplySlotBytes);

        for (var i = 0; i < capacity; i++)
        {
            _receiveVectors[i] = new IoVector { Base = _receiveData + (i * DataStride), Length = DataStride };
            _receiveHeaders[i].Header.Name = _receiveNames + (i * SocketAddressStride);
            _receiveHeaders[i].Header.Vectors = _receiveVectors + i;
            _receiveHeaders[i].Header.VectorCount = 1;
            _receiveHeaders[i].Header.Control = _receiveControl + (i * ControlBytes);

            _sendVectors[i] = new IoVector { Base = _sendData + (i * ReplySlotBytes) };
            _sendHeaders[i].Header.Name = _sendNames + (i * SocketAddressStride);
            _sendHeaders[i].Header.NameLength = SocketAddressBytes;
            _sendHeaders[i].Header.Vectors = _sendVectors + i;
            _sendHeaders[i].Header.VectorCount = 1;
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(_sendNames + (i * SocketAddressStride), 2), AddressFamilyInet6);
        }
    }

    /// <summary>Replies queued and not yet sent.</summary>
    public int Queued => _queued;

    /// <summary>
    /// Waits (up to the socket's receive timeout) for datagrams and takes in those waiting, up to the capacity. Only the
    /// owner calls it, and only once every datagram of the previous batch was taken.
    /// </summary>
    /// <returns>How many arrived (0 after a timeout or a passing error, reported in <paramref name="error"/>), or -1 when the socket is closed.</returns>
    public int Receive(out int error)
    {
        error = 0;
        var added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }

        try
        {
            var fd = (int)_socket.DangerousGetHandle();
            for (var i = 0; i < _capacity; i++)
            {
                ref var header = ref _receiveHeaders[i];
                header.Header.NameLength = SocketAddressBytes;
                header.Header.ControlLength = ControlBytes;
                header.Header.Flags = 0;
                header.Length = 0;
            }

            var received = ReceiveMessages(fd, _receiveHeaders, (uint)_capacity, WaitForOne, null);
            if (received >= 0)
            {
                lock (_takeLock)
                {
                    _next = 0;
                    _count = received;
                }

                return received;
            }

            error = Marshal.GetLastPInvokeError();
            if (error is TryAgain or InterruptedCall)
            {
                // A receive timeout, or a socket someone made non-blocking: wait here rather than spin.
                var poll = new PollDescriptor { Descriptor = fd, Events = PollIn };
                _ = Poll(&poll, 1, (int)UdpTransport.ReceivePollPeriod.TotalMilliseconds);
                error = 0;
                return 0;
            }

            return IsClosed(error) ? -1 : 0;
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Takes the next datagram of the batch: its bytes (as many as fit) into <paramref name="into"/>, and where it came
    /// from. False when every datagram of the batch was taken. Any thread may call it.
    /// </summary>
    public bool TryTake(Span<byte> into, out ReceivedMessage message)
    {
        lock (_takeLock)
        {
            if (_disposed || _next >= _count)
            {
                message = default;
                return false;
            }

            var i = _next++;
            ref var header = ref _receiveHeaders[i];
            var length = (int)header.Length;
            new ReadOnlySpan<byte>(_receiveData + (i * DataStride), Math.Min(length, into.Length)).CopyTo(into);
            var name = new ReadOnlySpan<byte>(_receiveNames + (i * SocketAddressStride), SocketAddressBytes);
            var fromInet6 = header.Header.NameLength >= SocketAddressBytes && BinaryPrimitives.ReadUInt16LittleEndian(name) == AddressFamilyInet6;
            FindPacketInfo(ref header.Header, out var local, out var interfaceIndex);
            message = new ReceivedMessage(
                length,
                (header.Header.Flags & Truncated) != 0,
                fromInet6 ? Ipv6Address.Read(name.Slice(8, 16)) : default,
                fromInet6 ? BinaryPrimitives.ReadUInt16BigEndian(name[2..]) : (ushort)0,
                local,
                interfaceIndex);
            return true;
        }
    }

    /// <summary>
    /// Queues a reply (sending what is queued first when the batch is full). False when the reply is larger than a
    /// slot: the caller sends it on its own.
    /// </summary>
    public bool TryQueue(ReadOnlySpan<byte> payload, Ipv6Address destination, ushort port, uint scopeId)
    {
        if (payload.Length > ReplySlotBytes)
        {
            return false;
        }

        if (_queued == _capacity)
        {
            Flush();
        }

        var i = _queued++;
        payload.CopyTo(new Span<byte>(_sendData + (i * ReplySlotBytes), ReplySlotBytes));
        _sendVectors[i].Length = (nuint)payload.Length;
        var name = new Span<byte>(_sendNames + (i * SocketAddressStride), SocketAddressBytes);
        BinaryPrimitives.WriteUInt16BigEndian(name[2..], port);
        destination.Write(name.Slice(8, 16));
        BinaryPrimitives.WriteUInt32LittleEndian(name[24..], scopeId);
        return true;
    }

    /// <summary>Sends every queued reply; one that fails is logged and skipped, as a single send's failure is.</summary>
    public void Flush()
    {
        if (_queued == 0)
        {
            return;
        }

        var added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the socket closed while these replies were built.
            _queued = 0;
            return;
        }

        try
        {
            var fd = (int)_socket.DangerousGetHandle();
            var sent = 0;
            while (sent < _queued)
            {
                var result = SendMessages(fd, _sendHeaders + sent, (uint)(_queued - sent), 0);
                if (result > 0)
                {
                    sent += result;
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == InterruptedCall)
                {
                    continue;
                }

                if (IsClosed(error))
                {
                    break;
                }

                // sendmmsg reports an error only for the first message it could not send: that one is skipped.
                var destination = Ipv6Address.Read(new ReadOnlySpan<byte>(_sendNames + (sent * SocketAddressStride) + 8, 16));
                _log.LogError(new EventId(0, "DHCP6_PACKET_SEND_FAIL"), "failed to send DHCPv6 packet to {Destination}: {Reason}", destination, Marshal.GetPInvokeErrorMessage(error));
                sent++;
            }
        }
        finally
        {
            _queued = 0;
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        lock (_takeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _count = 0;
        }

        NativeMemory.Free(_receiveHeaders);
        NativeMemory.Free(_receiveVectors);
        NativeMemory.Free(_receiveNames);
        NativeMemory.Free(_receiveControl);
        NativeMemory.Free(_receiveData);
        NativeMemory.Free(_sendHeaders);
        NativeMemory.Free(_sendVectors);
        NativeMemory.Free(_sendNames);
        NativeMemory.Free(_sendData);
    }

    /// <summary>EBADF, ENOTSOCK: the socket is gone, not a passing error (EINVAL can be one reply's bad destination).</summary>
    private static bool IsClosed(int error) => error is BadDescriptor or NotSocket;

    private static T* Allocate<T>(int count)
        where T : unmanaged => (T*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(T));

    /// <summary>The receiving interface and the address the query was sent to, from the IPV6_PKTINFO control message.</summary>
    private static void FindPacketInfo(ref MessageHeader header, out Ipv6Address local, out int interfaceIndex)
    {
        local = default;
        interfaceIndex = 0;
        var control = (byte*)header.Control;
        var end = control + header.ControlLength;
        var align = (nuint)sizeof(nuint);
        var headerBytes = (nuint)sizeof(ControlMessageHeader);
        var at = control;
        while (at + headerBytes <= end)
        {
            var cmsg = (ControlMessageHeader*)at;
            if (cmsg->Length < headerBytes || at + cmsg->Length > end)
            {
                return;
            }

            // in6_pktinfo: the 16 address bytes, then the interface index.
            if (cmsg->Level == ProtocolIpv6 && cmsg->Type == Ipv6PacketInfo && cmsg->Length >= headerBytes + 20)
            {
                var data = new ReadOnlySpan<byte>(at + headerBytes, 20);
                local = Ipv6Address.Read(data);
                interfaceIndex = BinaryPrimitives.ReadInt32LittleEndian(data[16..]);
                return;
            }

            at += (cmsg->Length + align - 1) & ~(align - 1);
        }
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int ReceiveMessages(int fd, MessageHeaders* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMessages(int fd, MessageHeaders* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMs);

    /// <summary>Linux <c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>Linux <c>struct msghdr</c> (the native padding follows from the sequential layout, on 32 and 64 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>Linux <c>struct mmsghdr</c>: a message and the bytes it carried.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MessageHeaders
    {
        public MessageHeader Header;
        public uint Length;
    }

    /// <summary>Linux <c>struct cmsghdr</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ControlMessageHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }
}

/// <summary>One datagram taken from a <see cref="MessageBatch"/>: its length, whether the kernel cut it, and its addresses.</summary>
internal readonly record struct ReceivedMessage(int Length, bool Truncated, Ipv6Address RemoteAddress, ushort RemotePort, Ipv6Address LocalAddress, int InterfaceIndex);
