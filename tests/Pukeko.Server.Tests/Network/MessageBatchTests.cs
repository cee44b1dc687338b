using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Tests.Support;
using Pukeko.Server.Transport;

namespace Pukeko.Server.Tests.Network;

/// <summary>recvmmsg and sendmmsg through real sockets on the loopback interface.</summary>
public sealed class MessageBatchTests : IDisposable
{
    private static readonly Ipv6Address Loopback = Ipv6Address.Parse("::1");

    private readonly Socket _server = new(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _client = new(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
    private readonly LeaseListLogger _log = new();

    public MessageBatchTests()
    {
        _server.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
        _server.ReceiveTimeout = 250;
        _server.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        _client.ReceiveTimeout = 2000;
        _client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
    }

    private ushort ServerPort => (ushort)((IPEndPoint)_server.LocalEndPoint!).Port;

    private ushort ClientPort => (ushort)((IPEndPoint)_client.LocalEndPoint!).Port;

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public void The_native_headers_have_the_kernels_layout()
    {
        Assert.True(Environment.Is64BitProcess);
        unsafe
        {
            Assert.Equal(56, sizeof(MessageBatch.MessageHeader));
            Assert.Equal(64, sizeof(MessageBatch.MessageHeaders));
            Assert.Equal(16, sizeof(MessageBatch.IoVector));
            Assert.Equal(16, sizeof(MessageBatch.ControlMessageHeader));
        }
    }

    [Fact]
    public void Datagrams_waiting_in_the_socket_come_in_one_call_with_their_sender_and_receiving_interface()
    {
        using var batch = new MessageBatch(_server, 8, _log);
        for (var i = 0; i < 5; i++)
        {
            _client.SendTo(Payload(i, 40 + i), new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));
        }

        // All five are queued on the loopback before the call, so one call takes them all.
        Assert.Equal(5, batch.Receive(out var error));
        Assert.Equal(0, error);
        var into = new byte[UdpTransport.MaxDatagram + 1];
        for (var i = 0; i < 5; i++)
        {
            Assert.True(batch.TryTake(into, out var message));
            Assert.Equal(40 + i, message.Length);
            Assert.False(message.Truncated);
            Assert.Equal(Payload(i, 40 + i), into[..message.Length]);
            Assert.Equal(Loopback, message.RemoteAddress);
            Assert.Equal(ClientPort, message.RemotePort);
            Assert.Equal(Loopback, message.LocalAddress);
            Assert.Equal(NetworkInterface.IPv6LoopbackInterfaceIndex, message.InterfaceIndex);
        }

        Assert.False(batch.TryTake(into, out _));
    }

    [Fact]
    public void A_batch_takes_at_most_its_capacity_and_the_rest_waits_for_the_next_call()
    {
        using var batch = new MessageBatch(_server, 3, _log);
        for (var i = 0; i < 5; i++)
        {
            _client.SendTo(Payload(i, 10), new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));
        }

        var into = new byte[64];
        var seen = new List<byte>();
        Assert.Equal(3, batch.Receive(out _));
        while (batch.TryTake(into, out _))
        {
            seen.Add(into[0]);
        }

        Assert.Equal(2, batch.Receive(out _));
        while (batch.TryTake(into, out _))
        {
            seen.Add(into[0]);
        }

        Assert.Equal([0, 1, 2, 3, 4], seen);
    }

    [Fact]
    public void With_nothing_waiting_a_receive_returns_empty_after_the_socket_timeout()
    {
        using var batch = new MessageBatch(_server, 4, _log);
        Assert.Equal(0, batch.Receive(out var error));
        Assert.Equal(0, error);
        Assert.False(batch.TryTake(new byte[16], out _));
    }

    [Fact]
    public void A_datagram_larger_than_the_transport_takes_is_marked_so()
    {
        using var batch = new MessageBatch(_server, 2, _log);
        _client.SendTo(new byte[UdpTransport.MaxDatagram + 100], new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));
        _client.SendTo(new byte[UdpTransport.MaxDatagram], new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));

        Assert.Equal(2, batch.Receive(out _));
        var into = new byte[UdpTransport.MaxDatagram + 1];
        Assert.True(batch.TryTake(into, out var large));
        Assert.True(large.Truncated || large.Length > UdpTransport.MaxDatagram);
        Assert.True(batch.TryTake(into, out var largest));
        Assert.False(largest.Truncated);
        Assert.Equal(UdpTransport.MaxDatagram, largest.Length);
    }

    [Fact]
    public async Task Another_thread_can_take_what_the_owner_has_not()
    {
        using var batch = new MessageBatch(_server, 4, _log);
        for (var i = 0; i < 4; i++)
        {
            _client.SendTo(Payload(i, 8), new IPEndPoint(IPAddress.IPv6Loopback, ServerPort));
        }

        Assert.Equal(4, batch.Receive(out _));
        var into = new byte[16];
        Assert.True(batch.TryTake(into, out _));
        Assert.Equal(0, into[0]);

        var taken = await Task.Run(() =>
        {
            var mine = new byte[16];
            var values = new List<byte>();
            while (batch.TryTake(mine, out _))
            {
                values.Add(mine[0]);
            }

            return values;
        });

        Assert.Equal([1, 2, 3], taken);
        Assert.False(batch.TryTake(into, out _));
    }

    [Fact]
    public void Queued_replies_leave_in_one_flush_in_order_and_a_full_batch_flushes_itself()
    {
        using var batch = new MessageBatch(_server, 2, _log);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(batch.TryQueue(Payload(i, 20 + i), Loopback, ClientPort, 0));
        }

        // The third reply found the batch full: the first two left then.
        Assert.Equal(1, batch.Queued);
        batch.Flush();
        Assert.Equal(0, batch.Queued);

        var into = new byte[64];
        for (var i = 0; i < 3; i++)
        {
            EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
            var length = _client.ReceiveFrom(into, ref from);
            Assert.Equal(Payload(i, 20 + i), into[..length]);
            Assert.Equal(ServerPort, ((IPEndPoint)from).Port);
        }
    }

    [Fact]
    public void A_reply_larger_than_a_slot_is_left_to_the_caller()
    {
        using var batch = new MessageBatch(_server, 2, _log);
        Assert.False(batch.TryQueue(new byte[MessageBatch.ReplySlotBytes + 1], Loopback, ClientPort, 0));
        Assert.True(batch.TryQueue(new byte[MessageBatch.ReplySlotBytes], Loopback, ClientPort, 0));
        Assert.Equal(1, batch.Queued);
    }

    [Fact]
    public void A_reply_that_cannot_be_sent_is_logged_and_the_ones_after_it_still_leave()
    {
        using var batch = new MessageBatch(_server, 4, _log);

        // A link-local destination on an interface that does not exist: the kernel refuses that one message.
        Assert.True(batch.TryQueue(Payload(1, 10), Ipv6Address.Parse("fe80::1"), 546, 999_999));
        Assert.True(batch.TryQueue(Payload(2, 10), Loopback, ClientPort, 0));
        batch.Flush();

        var into = new byte[64];
        var length = _client.Receive(into);
        Assert.Equal(Payload(2, 10), into[..length]);
        var error = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("fe80::1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_socket_ends_receiving_and_drops_what_was_queued()
    {
        var batch = new MessageBatch(_server, 2, _log);
        Assert.True(batch.TryQueue(Payload(1, 10), Loopback, ClientPort, 0));
        _server.Dispose();

        Assert.Equal(-1, batch.Receive(out _));
        batch.Flush();
        Assert.Equal(0, batch.Queued);
        batch.Dispose();
        Assert.False(batch.TryTake(new byte[16], out _));
        Assert.Empty(_log.Entries);
    }

    private static byte[] Payload(int tag, int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, (byte)0x5a);
        bytes[0] = (byte)tag;
        return bytes;
    }
}
