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
/// </summary>
internal sealed class NcrSender : IAsyncDisposable
{
    /// <summary>Requests handed to the socket.</summary>
    public const string SentStatistic = "ddns-ncr-sent";

    /// <summary>Requests the socket refused.</summary>
    public const string SendErrorStatistic = "ddns-ncr-send-error";

    /// <summary>Requests rejected because <c>max-queue-size</c> were already waiting.</summary>
    public const string QueueFullStatistic = "ddns-ncr-queue-full";

    /// <summary>How long stopping waits for queued requests to be sent.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(1);

    private readonly Channel<NameChangeRequest> _queue;
    private readonly Socket? _socket;
    private readonly Func<byte[], CancellationToken, ValueTask> _transmit;
    private readonly IPEndPoint _server;
    private readonly StatisticsRegistry _statistics;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;

    /// <summary>A sender with its own UDP socket bound to <c>sender-ip</c>/<c>sender-port</c>.</summary>
    public NcrSender(DhcpDdnsConfig config, StatisticsRegistry statistics, ILogger log)
        : this(config, statistics, log, null)
    {
    }

    /// <summary>A sender that hands each datagram to <paramref name="transmit"/> (tests), or to its socket when null.</summary>
    internal NcrSender(DhcpDdnsConfig config, StatisticsRegistry statistics, ILogger log, Func<byte[], CancellationToken, ValueTask>? transmit)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _statistics = statistics;
        _log = log;
        _queue = Channel.CreateBounded<NameChangeRequest>(new BoundedChannelOptions((int)Math.Min(config.MaxQueueSize, int.MaxValue))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _server = new IPEndPoint(config.ServerIp, config.ServerPort);
        if (transmit is null)
        {
            var socket = new Socket(config.ServerIp.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(config.SenderIp, config.SenderPort));
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
            transmit = async (datagram, cancel) => await socket.SendToAsync(datagram, SocketFlags.None, _server, cancel).ConfigureAwait(false);
        }

        _transmit = transmit;

        foreach (var name in (string[])[SentStatistic, SendErrorStatistic, QueueFullStatistic])
        {
            _statistics.Get(name);
        }

        _sending = Task.Run(SendLoopAsync);
        _log.LogInformation(new EventId(0, "DHCPSRV_DHCP_DDNS_SENDER_STARTED"), "NameChangeRequest sender has been started: {Sender} sending to {Server}, queue limit {Limit}", _socket?.LocalEndPoint, _server, config.MaxQueueSize);
    }

    public DhcpDdnsConfig Config { get; }

    /// <summary>Requests waiting to be sent.</summary>
    public int QueueSize => _queue.Reader.Count;

    /// <summary>Queues a request without waiting; false (counted, logged) when the queue is full or the sender stopped.</summary>
    public bool TrySend(NameChangeRequest request)
    {
        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        _statistics.Add(QueueFullStatistic, 1);
        _log.LogError(new EventId(0, "DHCPSRV_DHCP_DDNS_NCR_REJECTED"), "NameChangeRequest rejected by the sender: send queue has reached maximum capacity: {Limit}, ncr: {Request}", Config.MaxQueueSize, request);
        return false;
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var request in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await _transmit(request.ToDatagram(), _stop.Token).ConfigureAwait(false);
                    _statistics.Add(SentStatistic, 1);
                    _log.LogDebug(new EventId(0, "DHCPSRV_DHCP_DDNS_NCR_SENT"), "NameChangeRequest sent to {Server}: {Request}", _server, request);
                }
                catch (Exception ex) when (ex is SocketException or InvalidOperationException)
                {
                    _statistics.Add(SendErrorStatistic, 1);
                    _log.LogError(new EventId(0, "DHCP6_DDNS_REQUEST_SEND_FAILED"), "failed sending a name change request to kea-dhcp-ddns at {Server}: {Reason}, ncr: {Request}", _server, ex.Message, request);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: requests still queued are dropped, as Kea's sender drops them when it stops.
        }
    }

    /// <summary>Stops taking requests, gives the queued ones a moment to go out, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_sending, Task.Delay(DrainWait)).ConfigureAwait(false) != _sending)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _sending.ConfigureAwait(false);
        }

        _socket?.Dispose();
        _stop.Dispose();
    }
}
