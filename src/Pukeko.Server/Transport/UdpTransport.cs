using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Concurrency;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Pipeline.Stages;

namespace Pukeko.Server.Transport;

/// <summary>
/// UDP port 547: one socket bound to [::] with packet info, joined to ff02::1:2 and ff05::1:3 on
/// every served interface. With a packet queue (Kea's <c>dhcp-queue-control</c> without threads) a receive loop
/// only moves datagrams into the bounded queue and a worker runs the pipeline. Without one (Kea's single-threaded
/// server with no queue control, and multi-threading, where every worker blocks in recvmmsg on the one socket) each
/// worker receives its own datagrams and runs them, as Kea's one thread does: no hand-over between threads, so no
/// wake-up per packet, and the socket's buffer is the only queue. Such a worker takes in a batch of what waits and sends
/// the replies together (<see cref="MessageBatch"/>). Either way replies leave from the same socket, so the receiving
/// interface (from IPV6_PKTINFO) is known for every packet and replies leave through it.
/// </summary>
/// <remarks>
/// The socket is bound by the constructor, so a reconfiguration can bind a new transport beside
/// the running one (both set SO_REUSEADDR; the kernel then gives unicast to the newer socket, which
/// keeps it queued until <see cref="Start"/>). <see cref="PauseAsync"/> stops the workers between
/// packets so the processor can be swapped with none in flight.
/// </remarks>
internal sealed class UdpTransport : IAsyncDisposable
{
    /// <summary>
    /// The largest query taken: any DHCPv6 message over Ethernet jumbo frames (Kea reads at most 1500 bytes). A larger
    /// datagram is dropped whole and counted as <c>pkt6-parse-failed</c>, never parsed cut short; the bound also caps
    /// the work one query can ask for (about 570 IAs).
    /// </summary>
    public const int MaxDatagram = 9216;

    /// <summary>
    /// A packet normally takes well under a millisecond; one that takes a second has met a callout
    /// that blocks (or a stalled disk), and a client retransmits after about a second anyway.
    /// </summary>
    private static readonly TimeSpan StallThreshold = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(250);

    internal static readonly TimeSpan ReceivePollPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long, in all per <see cref="QueueRoomWaitWindow"/>, the receive thread may wait for room in a full queue
    /// before the oldest datagram is dropped: longer than the pauses the workers take now and then (a garbage
    /// collection, a thread-pool stall: tens of milliseconds under load), short against a client's first
    /// retransmission (about a second). The socket buffer holds what arrives meanwhile.
    /// </summary>
    private static readonly TimeSpan QueueRoomWait = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan QueueRoomWaitWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Packets whose pipeline went asynchronous (a database call, a parked packet) that may be under way at once; beyond
    /// it a worker waits for its own packet before it takes the next. Without a bound a database slower than the
    /// traffic gathered thousands of waiting packets (memory growing, every reply too late) where Kea's workers block
    /// and its queue drops; 256 is Kea's default parked-packet-limit, so HA's parked replies do not hold workers.
    /// </summary>
    internal const int MaxUnfinished = 256;

    /// <summary>Workers started beside stalled ones, at most: a callout that blocks every packet must not create threads without end.</summary>
    private const int MaxExtraWorkers = 16;

    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly Dictionary<int, string> _interfaces;
    private readonly DatagramQueue _queue;

    // No queue: every worker receives for itself (see the class summary).
    private readonly bool _receiveInWorkers;
    private readonly int _batch;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly ushort _port;
    private readonly InFlightGate _packets = new();
    private readonly Lock _workersLock = new();
    private readonly List<Worker> _workers = [];
    private volatile Dhcp6Processor? _processor;
    private Timer? _watchdog;
    private int _stalled;
    private int _disposed;
    private int _unfinished;

    /// <param name="receiveInWorkers">No queue: each worker receives its own datagrams (<paramref name="queueSize"/> unused).</param>
    /// <param name="receiveBufferBytes">SO_RCVBUF: where datagrams wait when no worker is in recvmmsg.</param>
    /// <param name="batch">Datagrams taken per receive call, and replies sent per send call (see <see cref="MessageBatch"/>).</param>
    public UdpTransport(IReadOnlyList<InterfaceInfo> interfaces, ushort port, int workers, int queueSize, ILogger log, TimeProvider time, bool receiveInWorkers, int receiveBufferBytes, int batch = 1)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The DHCPv6 transport uses Linux's recvmmsg and sendmmsg.");
        }

        _batch = Math.Max(1, batch);
        _log = log;
        _time = time;
        _port = port;
        _interfaces = interfaces.ToDictionary(i => i.Index, i => i.Name);
        Workers = Math.Max(1, workers);
        _receiveInWorkers = receiveInWorkers;
        _queue = new DatagramQueue(queueSize, QueueRoomWait, QueueRoomWaitWindow);

        _socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.DualMode = false;
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            _socket.ReceiveBufferSize = receiveBufferBytes;

            // The receive thread blocks in recvmmsg but wakes this often to see whether the transport stopped.
            _socket.ReceiveTimeout = (int)ReceivePollPeriod.TotalMilliseconds;
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

    /// <summary>Datagrams a receive call takes at most (1: one at a time).</summary>
    internal int Batch => _batch;

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
            _processor = value;
        }
    }

    /// <summary>Packets whose pipeline went asynchronous and has not finished, handed off by the workers.</summary>
    internal int UnfinishedPackets => Volatile.Read(ref _unfinished);

    /// <summary>Worker threads running now (the configured ones plus any started beside stalled ones).</summary>
    public int LiveWorkers
    {
        get
        {
            lock (_workersLock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>True when the workers receive their own datagrams (no packet queue).</summary>
    internal bool ReceivesInWorkers => _receiveInWorkers;

    /// <summary>The socket's receive buffer as the kernel reports it (Linux doubles what was asked for, for its accounting).</summary>
    internal int ReceiveBufferBytes => _socket.ReceiveBufferSize;

    public void Start(Dhcp6Processor processor)
    {
        Processor = processor;
        if (!_receiveInWorkers)
        {
            StartReceiver();
        }

        lock (_workersLock)
        {
            for (var i = 0; i < Workers; i++)
            {
                StartWorker();
            }
        }

        _watchdog = new Timer(static state => ((UdpTransport)state!).WatchWorkers(), this, WatchdogPeriod, WatchdogPeriod);
    }

    private void StartReceiver()
    {
        var receiverExited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _tasks.Add(receiverExited.Task);
        var receiver = new Thread(static state =>
        {
            var (transport, exited) = ((UdpTransport, TaskCompletionSource))state!;
            try
            {
                transport.ReceiveLoop();
            }
            finally
            {
                exited.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "pukeko-dhcp6-receive",
        };
        receiver.Start((this, receiverExited));
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

    /// <summary>
    /// The receive loop, on a thread of its own blocking in recvmmsg: an asynchronous receive would cost two thread
    /// hops per datagram (the socket engine's epoll thread, then a thread-pool thread running the loop).
    /// </summary>
    private void ReceiveLoop()
    {
        var token = _stop.Token;
        using var batch = new MessageBatch(_socket, _batch, _log);
        while (ReceiveBatch(batch, token))
        {
            while (true)
            {
                // One byte more than is taken, so that a datagram too large to take shows itself by filling it.
                var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram + 1);
                if (!batch.TryTake(buffer.AsSpan(0, MaxDatagram + 1), out var message))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                var datagram = ToDatagram(message, buffer, EmptyDatagram(buffer, static b => ArrayPool<byte>.Shared.Return(b)));
                if (datagram is null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    continue;
                }

                if (!_queue.Write(datagram, out var dropped))
                {
                    // Stopping.
                    datagram.ReturnBuffer?.Invoke(datagram.Buffer);
                    return;
                }

                if (dropped is not null)
                {
                    // As Kea's multi-threaded packet queue: the oldest packet makes way, and is counted.
                    dropped.ReturnBuffer?.Invoke(dropped.Buffer);
                    _processor?.CountDrop(DropReason.QueueFull);
                    _log.LogDebug(new EventId(0, "DHCP6_PACKET_QUEUE_FULL"), "packet queue is full: the oldest queued packet was dropped");
                }
            }
        }
    }

    /// <summary>
    /// Waits in recvmmsg for the next datagrams. False when the transport stops; otherwise the batch holds what came
    /// (nothing after a poll timeout).
    /// </summary>
    private bool ReceiveBatch(MessageBatch batch, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return false;
        }

        var received = batch.Receive(out var error);
        if (received < 0 || token.IsCancellationRequested)
        {
            return false;
        }

        if (error != 0)
        {
            _log.LogWarning(new EventId(0, "DHCP6_PACKET_RECEIVE_FAIL"), "error on receive: {Reason}", System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error));
        }

        return true;
    }

    /// <summary>A datagram on this transport's port around <paramref name="buffer"/>, for <see cref="ToDatagram"/> to fill.</summary>
    private ReceivedDatagram EmptyDatagram(byte[] buffer, Action<byte[]>? returnBuffer) => new()
    {
        Buffer = buffer,
        Length = 0,
        RemoteAddress = default,
        RemotePort = 0,
        LocalAddress = default,
        LocalPort = _port,
        InterfaceIndex = 0,
        InterfaceName = string.Empty,
        ReturnBuffer = returnBuffer,
    };

    /// <summary>
    /// Fills <paramref name="datagram"/> from a datagram taken out of a batch into <paramref name="buffer"/>; null when
    /// it is not to be run (another interface's, or one too large, which is counted).
    /// </summary>
    private ReceivedDatagram? ToDatagram(in ReceivedMessage message, byte[] buffer, ReceivedDatagram datagram)
    {
        if (!_interfaces.TryGetValue(message.InterfaceIndex, out var ifname))
        {
            // Not an interface we serve (the wildcard socket sees them all).
            return null;
        }

        if (message.Length > MaxDatagram || message.Truncated)
        {
            _processor?.CountDrop(DropReason.ParseFailed);
            _log.LogDebug(new EventId(0, "DHCP6_PACKET_DROP_PARSE_FAIL"), "failed to parse packet from {Remote} received over interface {Interface}, reason: datagram larger than {Max} bytes", message.RemoteAddress, ifname, MaxDatagram);
            return null;
        }

        datagram.Buffer = buffer;
        datagram.Length = message.Length;
        datagram.RemoteAddress = message.RemoteAddress;
        datagram.RemotePort = message.RemotePort;
        datagram.LocalAddress = message.LocalAddress;
        datagram.InterfaceIndex = message.InterfaceIndex;
        datagram.InterfaceName = ifname;
        datagram.ReceivedAt = _time.GetUtcNow();
        return datagram;
    }

    /// <summary>Starts one worker thread; the caller holds <see cref="_workersLock"/>.</summary>
    private void StartWorker()
    {
        var worker = new Worker();
        _workers.Add(worker);
        _tasks.Add(worker.Exited.Task);
        var thread = new Thread(static state =>
        {
            var me = (Worker)state!;
            if (me.Owner!._receiveInWorkers)
            {
                me.Owner.ReceivingWorkerMain(me);
            }
            else
            {
                me.Owner.WorkerMain(me);
            }
        })
        {
            IsBackground = true,
            Name = "pukeko-dhcp6-worker",
        };
        worker.Owner = this;
        thread.Start(worker);
    }

    /// <summary>
    /// A worker is a thread of its own, not a thread-pool task: a callout that blocks holds this
    /// thread only, and the watchdog can add a thread beside it without waiting for the pool to grow.
    /// </summary>
    private void WorkerMain(Worker me)
    {
        BlockingIo.AllowOnThisThread();
        var output = ArrayPool<byte>.Shared.Rent(SendStage.MaxReply);
        var reader = _queue;
        var token = _stop.Token;
        try
        {
            while (reader.WaitToRead(token))
            {
                // One packet per entry, so a pause waits for at most one packet per worker.
                if (!_packets.TryEnter())
                {
                    _packets.WhenOpen.Wait(token);
                    continue;
                }

                if (!reader.TryRead(out var datagram))
                {
                    _packets.Leave();
                    continue;
                }

                if (RunThenRetire(me, datagram, ref output))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Exit(me, output);
        }
    }

    /// <summary>
    /// A worker without a queue: it receives its datagrams itself, a batch at a time, runs each at once and sends the
    /// replies together at the end of the batch. While the transport is paused (a reconfiguration) it holds what it has
    /// received and receives no more, so the rest wait in the socket.
    /// </summary>
    private void ReceivingWorkerMain(Worker me)
    {
        BlockingIo.AllowOnThisThread();
        var output = ArrayPool<byte>.Shared.Rent(SendStage.MaxReply);
        var token = _stop.Token;
        var batch = new MessageBatch(_socket, _batch, _log);
        lock (_workersLock)
        {
            me.Batch = batch;
        }

        // The worker's one datagram, refilled for each query: the pipeline copies what it keeps before it returns.
        var input = GC.AllocateUninitializedArray<byte>(MaxDatagram + 1);
        var datagram = EmptyDatagram(input, returnBuffer: null);
        try
        {
            while (true)
            {
                if (Volatile.Read(ref _stalled) > 0 && !HelpStalled(me, batch, datagram, ref output, token))
                {
                    return;
                }

                if (!ReceiveBatch(batch, token) || !RunBatch(me, batch, batch, datagram, ref output, token))
                {
                    return;
                }

                batch.Flush();
                if (Retire(me))
                {
                    return;
                }
            }
        }
        finally
        {
            batch.Flush();
            lock (_workersLock)
            {
                me.Batch = null;
            }

            batch.Dispose();
            Exit(me, output);
        }
    }

    /// <summary>
    /// Runs every datagram left in <paramref name="source"/> (the worker's own batch, or a stalled worker's), queuing the
    /// replies in <paramref name="replies"/>. False when the transport stopped while paused.
    /// </summary>
    private bool RunBatch(Worker me, MessageBatch source, MessageBatch replies, ReceivedDatagram datagram, ref byte[] output, CancellationToken token)
    {
        while (source.TryTake(datagram.Buffer.AsSpan(0, MaxDatagram + 1), out var message))
        {
            if (ToDatagram(message, datagram.Buffer, datagram) is null)
            {
                continue;
            }

            try
            {
                while (!_packets.TryEnter())
                {
                    replies.Flush();
                    _packets.WhenOpen.Wait(token);
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            output = Run(me, datagram, output, replies);
        }

        return true;
    }

    /// <summary>
    /// Takes over what stalled workers (blocked in a callout) still hold of their batches, so those datagrams are not
    /// held up with them. False when the transport stopped.
    /// </summary>
    private bool HelpStalled(Worker me, MessageBatch own, ReceivedDatagram datagram, ref byte[] output, CancellationToken token)
    {
        List<MessageBatch>? held = null;
        lock (_workersLock)
        {
            foreach (var worker in _workers)
            {
                if (worker != me && worker.Reported && worker.Batch is { } batch)
                {
                    (held ??= []).Add(batch);
                }
            }
        }

        if (held is null)
        {
            return true;
        }

        foreach (var batch in held)
        {
            if (!RunBatch(me, batch, own, datagram, ref output, token))
            {
                return false;
            }
        }

        own.Flush();
        return true;
    }

    /// <summary>Runs one datagram under the stall watchdog's eye; true when the worker is an extra one that ends now.</summary>
    private bool RunThenRetire(Worker me, ReceivedDatagram datagram, ref byte[] output)
    {
        output = Run(me, datagram, output, replies: null);
        return Retire(me);
    }

    /// <summary>Runs one datagram while the stall watchdog sees the worker busy; returns the output buffer for the next.</summary>
    private byte[] Run(Worker me, ReceivedDatagram datagram, byte[] output, MessageBatch? replies)
    {
        Volatile.Write(ref me.BusySince, Stopwatch.GetTimestamp());
        output = Process(datagram, output, me.ReplyAddress, replies);
        Volatile.Write(ref me.BusySince, 0);
        return output;
    }

    /// <summary>A worker's end: its output buffer goes back, and it leaves what the watchdog and the stop look at.</summary>
    private void Exit(Worker me, byte[] output)
    {
        ArrayPool<byte>.Shared.Return(output);
        lock (_workersLock)
        {
            _workers.Remove(me);
            _tasks.Remove(me.Exited.Task);
        }

        me.Exited.TrySetResult();
    }

    /// <summary>
    /// Runs one packet. The common case completes here and the reply leaves at once; a packet that
    /// waits (parked by a callout, or behind its client's earlier packet) finishes on its own and
    /// keeps the output buffer, so the worker takes a new one and moves on.
    /// </summary>
    /// <returns>The output buffer for the worker's next packet.</returns>
    /// <param name="replies">Where a worker that receives in batches queues its replies; null: each is sent at once.</param>
    private byte[] Process(ReceivedDatagram datagram, byte[] output, ReplyAddress replyAddress, MessageBatch? replies)
    {
        ValueTask<OutgoingDatagram?> pending;
        try
        {
            pending = _processor!.ProcessAsync(datagram, output, _packets);
        }
        finally
        {
            // The pipeline's synchronous part parsed (copied) everything it needs from the datagram.
            datagram.ReturnBuffer?.Invoke(datagram.Buffer);
        }

        if (!pending.IsCompleted)
        {
            if (Interlocked.Increment(ref _unfinished) <= MaxUnfinished)
            {
                _ = FinishLaterAsync(pending, output);
                return ArrayPool<byte>.Shared.Rent(SendStage.MaxReply);
            }

            Interlocked.Decrement(ref _unfinished);
        }

        try
        {
            // Completed, or too many unfinished already: this worker waits for it (its continuations run elsewhere).
            var result = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            if (result is { } reply && (replies is null || !replies.TryQueue(reply.Buffer.AsSpan(0, reply.Length), reply.Destination, reply.Port, ScopeOf(reply))))
            {
                Send(reply, replyAddress);
            }
        }
        finally
        {
            _packets.Leave();
        }

        return output;
    }

    private async Task FinishLaterAsync(ValueTask<OutgoingDatagram?> pending, byte[] output)
    {
        try
        {
            if (await pending.ConfigureAwait(false) is { } reply)
            {
                // Off the worker's thread, so not the worker's address; this path is taken by parked packets and, on a database backend, by most.
                Send(reply, new ReplyAddress());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "DHCP6_PACKET_PROCESS_EXCEPTION"), ex, "exception thrown during packet processing: {Reason}", ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _unfinished);
            _packets.Leave();
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>
    /// Every <see cref="WatchdogPeriod"/>: a worker busy with one packet for longer than
    /// <see cref="StallThreshold"/> (a callout that blocks, most likely) is logged and counted once,
    /// and another worker is started beside it, up to <see cref="MaxExtraWorkers"/>, so other clients
    /// keep being served.
    /// </summary>
    private void WatchWorkers()
    {
        var now = Stopwatch.GetTimestamp();
        var newlyStalled = new List<TimeSpan>();
        int live;
        lock (_workersLock)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            var stalled = 0;
            foreach (var worker in _workers)
            {
                var since = Volatile.Read(ref worker.BusySince);
                if (since == 0)
                {
                    continue;
                }

                var busy = Stopwatch.GetElapsedTime(since, now);
                if (busy < StallThreshold)
                {
                    continue;
                }

                stalled++;
                if (!worker.Reported)
                {
                    worker.Reported = true;
                    newlyStalled.Add(busy);

                    // Counted before the extra worker starts, so whoever sees the others served also sees the count.
                    _processor?.Statistics.WorkerStalled.Increment();
                }
            }

            _stalled = stalled;
            var wanted = Workers + Math.Min(stalled, MaxExtraWorkers);
            while (_workers.Count < wanted)
            {
                StartWorker();
            }

            live = _workers.Count;
        }

        foreach (var busy in newlyStalled)
        {
            _log.LogWarning(new EventId(0, "DHCP6_WORKER_STALLED"), "a packet worker has been processing one packet for {Busy} ms (a callout blocking?); {Live} workers now serve the others", (long)busy.TotalMilliseconds, live);
        }
    }

    /// <summary>
    /// After a packet: a worker that was stalled is no longer, and a worker beyond what is wanted
    /// (the one that came back, usually) ends.
    /// </summary>
    private bool Retire(Worker me)
    {
        lock (_workersLock)
        {
            if (me.Reported)
            {
                me.Reported = false;
                _stalled = Math.Max(0, _stalled - 1);
            }

            if (_workers.Count <= Workers + Math.Min(_stalled, MaxExtraWorkers))
            {
                return false;
            }

            _workers.Remove(me);
            return true;
        }
    }

    /// <summary>A link-local or multicast destination needs its interface as scope.</summary>
    private static uint ScopeOf(in OutgoingDatagram reply) =>
        reply.Destination.IsLinkLocal || reply.Destination.IsMulticast ? (uint)reply.InterfaceIndex : 0;

    private void Send(OutgoingDatagram reply, ReplyAddress address)
    {
        try
        {
            _socket.SendTo(reply.Buffer.AsSpan(0, reply.Length), SocketFlags.None, address.Set(reply.Destination, reply.Port, ScopeOf(reply)));
        }
        catch (SocketException ex)
        {
            _log.LogError(new EventId(0, "DHCP6_PACKET_SEND_FAIL"), "failed to send DHCPv6 packet to {Destination}: {Reason}", reply.Destination, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the socket closed while this reply was being built.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        if (_watchdog is not null)
        {
            await _watchdog.DisposeAsync().ConfigureAwait(false);
        }

        _queue.Complete();
        try
        {
            // Wakes the receive thread out of recvmmsg now rather than at its next poll timeout: Linux wakes blocked
            // readers on shutdown even for an unconnected UDP socket, then reports ENOTCONN, which is expected here.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
        try
        {
            Task[] tasks;
            lock (_workersLock)
            {
                tasks = [.. _tasks];
            }

            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        while (_queue.TryRead(out var left))
        {
            left.ReturnBuffer?.Invoke(left.Buffer);
        }

        _stop.Dispose();
    }

    /// <summary>One worker thread's state, read by the watchdog.</summary>
    private sealed class Worker
    {
        /// <summary>Stopwatch timestamp when the current packet started; 0 while idle.</summary>
        public long BusySince;

        /// <summary>The current stall was logged and counted already.</summary>
        public bool Reported;

        public UdpTransport? Owner;

        /// <summary>The worker's receive batch while it runs (another worker takes over its rest when it stalls); under the workers' lock.</summary>
        public MessageBatch? Batch;

        public ReplyAddress ReplyAddress { get; } = new();

        public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
