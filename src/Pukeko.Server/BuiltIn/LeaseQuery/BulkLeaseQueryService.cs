using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.BuiltIn.LeaseQuery;

/// <summary>
/// Bulk leasequery over TCP (RFC 5460): listens on <c>lease-query-ip</c>:<c>lease-query-tcp-port</c>, accepts
/// connections from the <c>requesters</c> only and at most <c>max-requester-connections</c> at once, reads
/// LEASEQUERY messages framed with their 2-byte length (§5.1) and writes the answers framed the same way. A
/// connection silent for <c>max-requester-idle-time</c> seconds is closed. Queries of one connection run side by side
/// up to <c>max-concurrent-queries</c> (0: no limit); the others wait their turn. A query whose transaction id is
/// already in progress on the connection is dropped, as Kea does.
/// </summary>
internal sealed class BulkLeaseQueryService(
    BulkLeaseQueryOptions options,
    RequesterList requesters,
    LeaseQueryEngine engine,
    Func<ServerRuntime> runtime,
    PacketStatistics statistics,
    ILogger log) : IAsyncDisposable
{
    internal BulkLeaseQueryOptions Options { get; } = options;

    internal LeaseQueryEngine Engine { get; } = engine;

    internal Func<ServerRuntime> Runtime { get; } = runtime;

    internal PacketStatistics Statistics { get; } = statistics;

    internal ILogger Log { get; } = log;

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Connection> _connections = [];
    private TcpListener? _listener;
    private Task? _acceptLoop;

    /// <summary>Where the service listens (the port is the one bound, for a configured port of 0 in tests).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Binds the listener and starts accepting.</summary>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    public void Start() => Start(Options.LeaseQueryTcpPort);

    /// <summary>As <see cref="Start()"/>, on another port (0: any free one, for tests).</summary>
    internal void Start(int port)
    {
        var listener = new TcpListener(new IPAddress(ToBytes(Options.LeaseQueryIp)), port);
        listener.Server.DualMode = false;
        listener.Start();
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private static byte[] ToBytes(Ipv6Address address)
    {
        var bytes = new byte[16];
        address.Write(bytes);
        return bytes;
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException && token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var peer = (IPEndPoint)client.Client.RemoteEndPoint!;
            var address = new Ipv6Address(BinaryPrimitives.ReadUInt128BigEndian(peer.Address.MapToIPv6().GetAddressBytes()));
            var reason = Refusal(address);
            if (reason is not null)
            {
                Log.LogError(new EventId(0, "BULK_LEASE_QUERY_REJECTED_CONNECTION"), "A new bulk lease query connection from {Peer} was rejected: {Reason}", address, reason);
                client.Dispose();
                continue;
            }

            var connection = new Connection(this, client, address);
            lock (_lock)
            {
                _connections.Add(connection);
            }

            _ = connection.RunAsync(token);
        }
    }

    private string? Refusal(Ipv6Address peer)
    {
        if (!requesters.Contains(peer))
        {
            return "not a valid requester";
        }

        lock (_lock)
        {
            return _connections.Count >= Options.MaxRequesterConnections ? "too many connections" : null;
        }
    }

    private void Closed(Connection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Connection[] open;
        lock (_lock)
        {
            open = [.. _connections];
        }

        foreach (var connection in open)
        {
            connection.Close();
        }

        _stop.Dispose();
    }

    /// <summary>One requester's connection: its reader, its queries in progress and its writer.</summary>
    private sealed class Connection(BulkLeaseQueryService service, TcpClient client, Ipv6Address peer)
    {
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly SemaphoreSlim? _running = service.Options.MaxConcurrentQueries > 0 ? new SemaphoreSlim(service.Options.MaxConcurrentQueries) : null;
        private readonly HashSet<uint> _inProgress = [];
        private readonly CancellationTokenSource _closed = new();

        private ILogger Log => service.Log;

        public void Close()
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            client.Dispose();
        }

        public async Task RunAsync(CancellationToken serviceStop)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(serviceStop, _closed.Token);
            var token = linked.Token;
            var stream = client.GetStream();
            var header = new byte[2];
            try
            {
                while (!token.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                    idle.CancelAfter(TimeSpan.FromSeconds(service.Options.MaxRequesterIdleTime));
                    if (!await ReadExactlyAsync(stream, header, idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                    var body = new byte[length];
                    if (!await ReadExactlyAsync(stream, body, idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    Received(body, token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // Idle too long, closed by the requester, or the service stops: the connection ends.
            }
            finally
            {
                service.Closed(this);
                Close();
            }
        }

        private static async Task<bool> ReadExactlyAsync(NetworkStream stream, byte[] buffer, CancellationToken token)
        {
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), token).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }

        /// <summary>One framed message: checked, then answered in the background so the next can be read.</summary>
        private void Received(byte[] body, CancellationToken token)
        {
            if (body.Length == 0)
            {
                Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_EMPTY_REQUEST"), "A bulk lease query packet received from {Peer} is empty.", peer);
                return;
            }

            var relays = new List<RelayLayer>();
            var status = Dhcp6Parser.TryParse(body, relays, out var message);
            if (status != ParseStatus.Ok || message is null || relays.Count > 0)
            {
                Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_UNPACK_ERROR"), "A bulk lease query packet received from {Peer}, could not be unpacked, error: {Reason}", peer, relays.Count > 0 ? "relayed message" : status);
                return;
            }

            if (message.Type != MessageType.Leasequery)
            {
                Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY6_UNSUPPORTED_MSG_TYPE"), "Dropping packet with an unsupported DHCPv6 message type {Type} received from: {Peer}", (int)message.Type, peer);
                return;
            }

            var label = LeaseQueryResponder.Label(message, peer);
            service.Statistics.CountReceived(MessageType.Leasequery);
            Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_QUERY_RECEIVED"), "A bulk lease query packet received from {Peer}, details: {Label}", peer, label);
            var current = service.Runtime();
            if (BulkLeaseQuery.Invalid(message, current) is { } invalid)
            {
                Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_INVALID_REQUEST"), "A bulk lease query packet received from {Peer} is invalid, query: {Label}, error: {Reason}", peer, label, invalid);
                return;
            }

            lock (_inProgress)
            {
                if (!_inProgress.Add(message.TransactionId))
                {
                    Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_DUPLICATE_XID"), "Dropping query from: {Peer}, transaction id {Xid} is a duplicate", peer, message.TransactionId);
                    return;
                }
            }

            _ = AnswerAsync(message, label, current, token);
        }

        private async Task AnswerAsync(Dhcp6Message query, string label, ServerRuntime runtime, CancellationToken token)
        {
            try
            {
                if (_running is not null)
                {
                    if (_running.CurrentCount == 0)
                    {
                        Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_AT_MAX_CONCURRENT_QUERIES"), "Queuing query from: {Peer}, details: {Label}, connection already has {Count} queries in progress", peer, label, service.Options.MaxConcurrentQueries);
                    }

                    await _running.WaitAsync(token).ConfigureAwait(false);
                }

                try
                {
                    await new BulkLeaseQuery(service.Engine, service.Options, runtime).RunAsync(query, SendAsync, token).ConfigureAwait(false);
                }
                finally
                {
                    _running?.Release();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
            {
                // The connection is gone: the rest of the answer has nowhere to go.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.LogError(new EventId(0, "BULK_LEASE_QUERY_PROCESSING_UNEXPECTED_FAILURE"), "A bulk lease query packet processing throws unexpected exception: {Reason}", ex.Message);
            }
            finally
            {
                lock (_inProgress)
                {
                    _inProgress.Remove(query.TransactionId);
                }
            }
        }

        /// <summary>Writes one message whole (length, then message) so answers of queries running side by side do not interleave inside a message.</summary>
        private async ValueTask SendAsync(Dhcp6Message message, CancellationToken token)
        {
            var length = Dhcp6Writer.GetLength(message);
            if (length > ushort.MaxValue)
            {
                throw new InvalidOperationException($"a {message.Type} of {length} bytes does not fit the 2-byte length of the TCP framing");
            }

            var frame = new byte[2 + length];
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)length);
            Dhcp6Writer.Write(message, frame.AsSpan(2));
            await _writeLock.WaitAsync(token).ConfigureAwait(false);
            try
            {
                await client.GetStream().WriteAsync(frame, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_RESPONSE_SEND_ERROR"), "A bulk lease query response could not be sent to: {Peer}, response: {Label}, error: {Reason}", peer, LeaseQueryResponder.Label(message, peer), ex.Message);
                throw;
            }
            finally
            {
                _writeLock.Release();
            }

            service.Statistics.Sent.Increment();
            if (message.Type == MessageType.LeasequeryReply)
            {
                service.Statistics.Registry.Get(LeaseQueryResponder.ReplySent).Increment();
            }

            Log.LogDebug(new EventId(0, "BULK_LEASE_QUERY_RESPONSE_SENT"), "A bulk lease query response sent to {Peer}, details: {Label}", peer, LeaseQueryResponder.Label(message, peer));
        }
    }
}
