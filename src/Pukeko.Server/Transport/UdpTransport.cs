using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Transport;

/// <summary>
/// UDP port 547: one socket bound to [::] with packet info, joined to ff02::1:2 and ff05::1:3 on
/// every served interface. A receive loop only moves datagrams into a bounded queue; a pool of
/// workers runs the pipeline and sends replies from the same socket, so the receiving interface
/// (from IPV6_PKTINFO) is known for every packet and replies leave through it.
/// </summary>
/// <remarks>
/// The socket is bound by the constructor, so a reconfiguration can bind a new transport beside
/// the running one (both set SO_REUSEADDR; the kernel then gives unicast to the newer socket, which
/// keeps it queued until <see cref="Start"/>). <see cref="PauseAsync"/> stops the workers between
/// packets so the processor can be swapped with none in flight.
/// </remarks>
public sealed class UdpTransport : IAsyncDisposable
{
    /// <summary>Large enough for any DHCPv6 message over Ethernet jumbo frames.</summary>
    private const int MaxDatagram = 9216;

    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly Dictionary<int, string> _interfaces;
    private readonly Channel<ReceivedDatagram> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly ushort _port;
    private readonly InFlightGate _packets = new();
    private volatile Dhcp6Processor? _processor;
    private int _disposed;

    public UdpTransport(IReadOnlyList<InterfaceInfo> interfaces, ushort port, int workers, int queueSize, ILogger log, TimeProvider time)
    {
        _log = log;
        _time = time;
        _port = port;
        _interfaces = interfaces.ToDictionary(i => i.Index, i => i.Name);
        Workers = Math.Max(1, workers);
        _queue = queueSize > 0
            ? Channel.CreateBounded<ReceivedDatagram>(new BoundedChannelOptions(queueSize) { SingleReader = false, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait })
            : Channel.CreateUnbounded<ReceivedDatagram>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.DualMode = false;
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            _socket.ReceiveBufferSize = 4 * 1024 * 1024;
            _socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            foreach (var iface in interfaces)
            {
                Join(Ipv6Address.AllDhcpRelayAgentsAndServers, iface);
                Join(Ipv6Address.AllDhcpServers, iface);
            }
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public int Workers { get; }

    public ushort Port => (ushort)((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>
    /// The pipeline the workers run. Replace it only before <see cref="Start"/> or while paused,
    /// so no packet is half-way through the old one.
    /// </summary>
    public Dhcp6Processor? Processor
    {
        get => _processor;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            // Replies of packets parked by hooks are finished later on other threads.
            value.ParkedReplySender = Send;
            _processor = value;
        }
    }

    public void Start(Dhcp6Processor processor)
    {
        Processor = processor;
        _tasks.Add(Task.Factory.StartNew(ReceiveLoopAsync, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        for (var i = 0; i < Workers; i++)
        {
            _tasks.Add(Task.Factory.StartNew(WorkerLoopAsync, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }
    }

    /// <summary>
    /// Stops the workers taking packets (the socket keeps receiving into the queue) and waits
    /// until none is inside the pipeline. False when <paramref name="timeout"/> passed first; the
    /// workers stay paused either way until <see cref="Resume"/>.
    /// </summary>
    public Task<bool> PauseAsync(TimeSpan timeout)
    {
        _packets.Close();
        return _packets.WaitEmptyAsync(timeout);
    }

    public void Resume() => _packets.Open();

    private void Join(Ipv6Address group, InterfaceInfo iface)
    {
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(group.ToIPAddress(), iface.Index));
        }
        catch (SocketException ex)
        {
            _log.LogWarning(new EventId(0, "DHCP6_OPEN_SOCKET_FAIL"), "failed to join multicast group {Group} on interface {Interface}: {Reason}", group, iface.Name, ex.Message);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
            SocketReceiveMessageFromResult result;
            try
            {
                result = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                break;
            }
            catch (SocketException ex)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _log.LogWarning(new EventId(0, "DHCP6_PACKET_RECEIVE_FAIL"), "error on receive: {Reason}", ex.Message);
                continue;
            }

            var ifindex = result.PacketInformation.Interface;
            if (!_interfaces.TryGetValue(ifindex, out var ifname))
            {
                // Not an interface we serve (the wildcard socket sees them all).
                ArrayPool<byte>.Shared.Return(buffer);
                continue;
            }

            var remote = (IPEndPoint)result.RemoteEndPoint;
            var datagram = new ReceivedDatagram
            {
                Buffer = buffer,
                Length = result.ReceivedBytes,
                RemoteAddress = Ipv6Address.FromIPAddress(remote.Address),
                RemotePort = (ushort)remote.Port,
                LocalAddress = Ipv6Address.FromIPAddress(result.PacketInformation.Address),
                LocalPort = _port,
                InterfaceIndex = ifindex,
                InterfaceName = ifname,
                ReceivedAt = _time.GetUtcNow(),
                ReturnBuffer = static b => ArrayPool<byte>.Shared.Return(b),
            };

            if (!_queue.Writer.TryWrite(datagram))
            {
                _processor?.CountDrop(DropReason.QueueFull);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task WorkerLoopAsync()
    {
        var output = new byte[MaxDatagram];
        var reader = _queue.Reader;
        var token = _stop.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                // One packet per entry, so a pause waits for at most one packet per worker.
                if (!_packets.TryEnter())
                {
                    await _packets.WhenOpen.WaitAsync(token).ConfigureAwait(false);
                    continue;
                }

                try
                {
                    if (reader.TryRead(out var datagram))
                    {
                        Process(datagram, output);
                    }
                }
                finally
                {
                    _packets.Leave();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Process(ReceivedDatagram datagram, byte[] output)
    {
        try
        {
            if (_processor!.ProcessDatagram(datagram, output) is { } reply)
            {
                Send(reply);
            }
        }
        finally
        {
            datagram.ReturnBuffer?.Invoke(datagram.Buffer);
        }
    }

    private void Send(OutgoingDatagram reply)
    {
        var scope = reply.Destination.IsLinkLocal || reply.Destination.IsMulticast ? reply.InterfaceIndex : 0;
        var endpoint = new IPEndPoint(reply.Destination.ToIPAddress(scope), reply.Port);
        try
        {
            _socket.SendTo(reply.Buffer.AsSpan(0, reply.Length), SocketFlags.None, endpoint);
        }
        catch (SocketException ex)
        {
            _log.LogError(new EventId(0, "DHCP6_PACKET_SEND_FAIL"), "failed to send DHCPv6 packet to {Destination}: {Reason}", endpoint, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _queue.Writer.TryComplete();
        _socket.Dispose();
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.ReturnBuffer?.Invoke(left.Buffer);
        }

        _stop.Dispose();
    }
}
