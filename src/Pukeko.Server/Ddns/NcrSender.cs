using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Ddns;

/// <summary>
/// Sends name-change requests to kea-dhcp-ddns over UDP from a bounded queue, on its own task, so the packet path
/// only ever enqueues. A full queue rejects the new request as Kea's sender does (counted and logged); unlike Kea the
/// server then keeps sending rather than suspending DDNS until the next reconfiguration.
/// <para>
/// When the daemon is not listening (the kernel reports the ICMP port unreachable as ECONNREFUSED on the connected
/// socket), the requests sent in the last <see cref="ConfirmWindow"/> are put back at the head of the queue, in
/// order, and the queue is held: new requests wait (up to <c>max-queue-size</c>) while the head is re-sent as a
/// probe every <see cref="RetryInterval"/>; once a probe draws no error the queue drains. A request may so reach the
/// daemon twice, which kea-dhcp-ddns handles: an ADD carries the same DHCID, a REMOVE of records already gone succeeds.
/// </para>
/// </summary>
internal sealed class NcrSender : IAsyncDisposable
{
    /// <summary>Requests handed to the socket (a re-send counts again).</summary>
    public const string SentStatistic = "ddns-ncr-sent";

    /// <summary>Requests dropped because the socket refused them for a reason other than an unreachable daemon.</summary>
    public const string SendErrorStatistic = "ddns-ncr-send-error";

    /// <summary>Requests rejected because <c>max-queue-size</c> were already waiting.</summary>
    public const string QueueFullStatistic = "ddns-ncr-queue-full";

    /// <summary>Requests put back in the queue because kea-dhcp-ddns was unreachable when they were sent.</summary>
    public const string RequeuedStatistic = "ddns-ncr-requeued";

    /// <summary>Requests waiting to be sent (a gauge).</summary>
    public const string QueueSizeStatistic = "ddns-ncr-queue-size";

    /// <summary>How long stopping waits for queued requests to be sent.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly LinkedList<NameChangeRequest> _pending = new();
    private readonly Queue<(NameChangeRequest Request, long SentAt)> _unconfirmed = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly INcrTransport _transport;
    private readonly IPEndPoint _server;
    private readonly StatisticsRegistry _statistics;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private bool _closed;
    private bool _unreachable;

    /// <summary>A sender with its own UDP socket bound to <c>sender-ip</c>/<c>sender-port</c>.</summary>
    public NcrSender(DhcpDdnsConfig config, StatisticsRegistry statistics, ILogger log)
        : this(config, statistics, log, (INcrTransport?)null)
    {
    }

    /// <summary>A sender that hands each datagram to <paramref name="transmit"/> (tests).</summary>
    internal NcrSender(DhcpDdnsConfig config, StatisticsRegistry statistics, ILogger log, Func<byte[], CancellationToken, ValueTask> transmit)
        : this(config, statistics, log, new DelegateNcrTransport(transmit))
    {
    }

    /// <summary>A sender over <paramref name="transport"/>, or over its own socket when null.</summary>
    internal NcrSender(DhcpDdnsConfig config, StatisticsRegistry statistics, ILogger log, INcrTransport? transport)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _statistics = statistics;
        _log = log;
        _server = new IPEndPoint(config.ServerIp, config.ServerPort);
        _transport = transport ?? new UdpNcrTransport(new IPEndPoint(config.SenderIp, config.SenderPort), _server);

        foreach (var name in (string[])[SentStatistic, SendErrorStatistic, QueueFullStatistic, RequeuedStatistic, QueueSizeStatistic])
        {
            _statistics.Get(name);
        }

        _sending = Task.Run(SendLoopAsync);
        _log.LogInformation(new EventId(0, "DHCPSRV_DHCP_DDNS_SENDER_STARTED"), "NameChangeRequest sender has been started: {Sender} sending to {Server}, queue limit {Limit}", _transport.LocalEndPoint, _server, config.MaxQueueSize);
    }

    public DhcpDdnsConfig Config { get; }

    /// <summary>How long a sent request may still be reported unreachable (and so re-sent).</summary>
    internal TimeSpan ConfirmWindow { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the head of a held queue is re-sent to see whether the daemon is back.</summary>
    internal TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after a probe an ICMP error is waited for before the daemon counts as back.</summary>
    internal TimeSpan ProbeWait { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Requests waiting to be sent.</summary>
    public int QueueSize
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>True while kea-dhcp-ddns is known to be unreachable and requests are held.</summary>
    public bool IsHolding => Volatile.Read(ref _unreachable);

    /// <summary>Queues a request without waiting; false (counted, logged) when the queue is full or the sender stopped.</summary>
    public bool TrySend(NameChangeRequest request)
    {
        lock (_gate)
        {
            if (!_closed && _pending.Count < Config.MaxQueueSize)
            {
                _pending.AddLast(request);
                _statistics.Set(QueueSizeStatistic, _pending.Count);
                _wake.Writer.TryWrite(true);
                return true;
            }
        }

        _statistics.Add(QueueFullStatistic, 1);
        _log.LogError(new EventId(0, "DHCPSRV_DHCP_DDNS_NCR_REJECTED"), "NameChangeRequest rejected by the sender: send queue has reached maximum capacity: {Limit}, ncr: {Request}", Config.MaxQueueSize, request);
        return false;
    }

    private NameChangeRequest? TakeNext()
    {
        lock (_gate)
        {
            if (_pending.First is not { } first)
            {
                return null;
            }

            _pending.RemoveFirst();
            _statistics.Set(QueueSizeStatistic, _pending.Count);
            return first.Value;
        }
    }

    private async Task SendLoopAsync()
    {
        var cancel = _stop.Token;
        try
        {
            while (true)
            {
                if (TakeNext() is not { } request)
                {
                    if (!await _wake.Reader.WaitToReadAsync(cancel).ConfigureAwait(false))
                    {
                        return;
                    }

                    _wake.Reader.TryRead(out _);
                    continue;
                }

                var probing = _unreachable;
                if (probing)
                {
                    await Task.Delay(RetryInterval, cancel).ConfigureAwait(false);
                }

                await SendOneAsync(request, probing, cancel).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: requests still queued are dropped, as Kea's sender drops them when it stops.
        }
    }

    private async Task SendOneAsync(NameChangeRequest request, bool probing, CancellationToken cancel)
    {
        ForgetConfirmed();
        var error = await _transport.SendAsync(request.ToDatagram(), cancel).ConfigureAwait(false);
        if (IsUnreachable(error))
        {
            // The error belongs to an earlier datagram; this one was not sent.
            Hold(request, error);
            return;
        }

        if (error != SocketError.Success)
        {
            _statistics.Add(SendErrorStatistic, 1);
            _log.LogError(new EventId(0, "DHCP6_DDNS_REQUEST_SEND_FAILED"), "failed sending a name change request to kea-dhcp-ddns at {Server}: {Reason}, ncr: {Request}", _server, error, request);
            return;
        }

        _statistics.Add(SentStatistic, 1);
        lock (_gate)
        {
            _unconfirmed.Enqueue((request, Environment.TickCount64));
        }

        _log.LogDebug(new EventId(0, "DHCPSRV_DHCP_DDNS_NCR_SENT"), "NameChangeRequest sent to {Server}: {Request}", _server, request);
        if (probing)
        {
            await Task.Delay(ProbeWait, cancel).ConfigureAwait(false);
        }

        var late = _transport.TakeLateError();
        if (IsUnreachable(late))
        {
            Hold(null, late);
        }
        else if (probing)
        {
            _unreachable = false;
            _log.LogInformation(new EventId(0, "DHCP6_DDNS_DAEMON_REACHABLE"), "kea-dhcp-ddns at {Server} answers again; sending the {Count} held name change requests", _server, QueueSize);
        }
    }

    private static bool IsUnreachable(SocketError error) =>
        error is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable;

    /// <summary>Puts the requests that may not have arrived back at the head of the queue, oldest first, and holds it.</summary>
    private void Hold(NameChangeRequest? notSent, SocketError error)
    {
        int requeued;
        lock (_gate)
        {
            if (notSent is not null)
            {
                _pending.AddFirst(notSent);
            }

            var unconfirmed = _unconfirmed.ToArray();
            _unconfirmed.Clear();
            for (var i = unconfirmed.Length - 1; i >= 0; i--)
            {
                _pending.AddFirst(unconfirmed[i].Request);
            }

            requeued = unconfirmed.Length;
            _statistics.Set(QueueSizeStatistic, _pending.Count);
        }

        _statistics.Add(RequeuedStatistic, requeued);
        if (!_unreachable)
        {
            _unreachable = true;
            _log.LogError(new EventId(0, "DHCP6_DDNS_DAEMON_UNREACHABLE"), "kea-dhcp-ddns at {Server} is unreachable ({Reason}); holding {Count} name change requests (at most {Limit}) and retrying every {Retry} s",
                _server, error, QueueSize, Config.MaxQueueSize, RetryInterval.TotalSeconds);
        }
    }

    /// <summary>Sent requests older than the window are taken as delivered.</summary>
    private void ForgetConfirmed()
    {
        var oldest = Environment.TickCount64 - (long)ConfirmWindow.TotalMilliseconds;
        lock (_gate)
        {
            while (_unconfirmed.TryPeek(out var sent) && sent.SentAt < oldest)
            {
                _unconfirmed.Dequeue();
            }
        }
    }

    /// <summary>Stops taking requests, gives the queued ones a moment to go out, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
        }

        _wake.Writer.TryComplete();
        if (await Task.WhenAny(_sending, Task.Delay(DrainWait)).ConfigureAwait(false) != _sending)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _sending.ConfigureAwait(false);
        }

        if (QueueSize is var left and > 0)
        {
            _log.LogWarning(new EventId(0, "DHCP6_DDNS_REQUESTS_DROPPED_AT_STOP"), "{Count} name change requests for kea-dhcp-ddns at {Server} were not sent before the sender stopped", left, _server);
        }

        _transport.Dispose();
        _stop.Dispose();
    }
}
