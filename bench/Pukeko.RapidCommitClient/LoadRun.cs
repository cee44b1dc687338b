using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Pukeko.RapidCommitClient;

/// <summary>What one run counted. The receiving thread writes the answer counters, the sending thread the rest;
/// they are read once both have finished.</summary>
internal sealed class RunResult
{
    public long Scheduled, Sent, SendErrors;
    public long Completed, Advertises, RepliesWithoutLease, OtherTypes, Unmatched, Duplicates, Malformed;
    public long DelaySumTicks, DelayMinTicks = long.MaxValue, DelayMaxTicks;
    public long FirstSendTicks, LastSendTicks, BehindAtEndTicks, MaxBehindTicks;

    /// <summary>Solicits that got no answer of any kind.</summary>
    public long Drops => Sent - Completed - Advertises - RepliesWithoutLease - OtherTypes;
}

/// <summary>One timed run: a sending loop on the calling thread, a receiving thread, one socket shared by both.</summary>
internal sealed class LoadRun : IDisposable
{
    private const int ClientPort = 546, ServerPort = 547;
    // Linux SOL_SOCKET and SO_RCVBUFFORCE: as root, a receive buffer above net.core.rmem_max, so a burst of Replies
    // while the receiving thread waits for a CPU is queued rather than dropped by the client's own kernel.
    private const int SolSocket = 1, SoRcvBufForce = 33;
    private const int ReceiveBufferBytes = 16 << 20;

    private readonly Options _options;
    private readonly Socket _socket;
    private readonly SocketAddress _destination;
    private readonly byte[] _template = new byte[Dhcp6.SolicitLength];
    private readonly uint _transactionBase = (uint)RandomNumberGenerator.GetInt32(1 << 24);
    // Per client number (= transaction id - base): when its Solicit left, and whether an answer was already counted.
    private readonly long[] _sentAt;
    private readonly bool[] _answered;
    private readonly RunResult _result = new();
    // Stopwatch ticks after which the receiver stops counting; set when the last Solicit has been sent.
    private long _receiveDeadline = long.MaxValue;

    private LoadRun(Options options, Socket socket, SocketAddress destination)
    {
        _options = options;
        _socket = socket;
        _destination = destination;
        _sentAt = new long[options.Solicits];
        _answered = new bool[options.Solicits];
        // DUID-LLT time: seconds since 2000-01-01 UTC (RFC 8415 section 11.2), here the run's start.
        var duidTime = (uint)(DateTime.UtcNow - new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
        Dhcp6.WriteTemplate(_template, duidTime, (byte)RandomNumberGenerator.GetInt32(256));
    }

    /// <summary>Opens the socket on the interface's link-local address; null with <paramref name="error"/> when it cannot.</summary>
    public static LoadRun? Open(Options options, out string error)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == options.Interface);
        if (nic is null) { error = $"no interface {options.Interface}"; return null; }
        var properties = nic.GetIPProperties();
        var index = properties.GetIPv6Properties()?.Index ?? 0;
        var linkLocal = properties.UnicastAddresses.Select(a => a.Address).FirstOrDefault(a => a.IsIPv6LinkLocal);
        if (linkLocal is null || index == 0) { error = $"{options.Interface} has no IPv6 link-local address"; return null; }
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Multicast leaves by this interface; the Solicits are not looped back to us.
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, index);
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            try { socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(ReceiveBufferBytes)); }
            catch (SocketException) { socket.ReceiveBufferSize = ReceiveBufferBytes; }   // not root: up to rmem_max
            socket.ReceiveTimeout = 50;   // so the receiver sees the deadline when no packet comes
            socket.Bind(new IPEndPoint(new IPAddress(linkLocal.GetAddressBytes(), index), ClientPort));
            var allServers = new IPAddress(IPAddress.Parse("ff02::1:2").GetAddressBytes(), index);
            error = "";
            return new LoadRun(options, socket, new IPEndPoint(allServers, ServerPort).Serialize());
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"socket on {options.Interface} port {ClientPort}: {e.Message}";
            return null;
        }
    }

    public RunResult Run()
    {
        var receiver = new Thread(Receive) { Name = "replies", IsBackground = true };
        receiver.Start();
        Send();
        Volatile.Write(ref _receiveDeadline, _result.LastSendTicks + (long)_options.WaitMs * Stopwatch.Frequency / 1000);
        receiver.Join();
        return _result;
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// Keeps to the schedule: Solicit i is due i/rate seconds after the start, and each pass sends everything due
    /// by now, then sleeps a millisecond when nothing is. Late Solicits are sent late, not skipped; at twice the
    /// period sending gives up, so a client far too slow for its rate still ends.
    /// </summary>
    private void Send()
    {
        var packet = (byte[])_template.Clone();
        var total = _options.Solicits;
        var frequency = (double)Stopwatch.Frequency;
        var ticksPerSolicit = frequency / _options.Rate;
        var start = Stopwatch.GetTimestamp();
        var giveUp = start + 2L * _options.PeriodSeconds * Stopwatch.Frequency;
        _result.FirstSendTicks = start;
        long next = 0;
        while (next < total)
        {
            var now = Stopwatch.GetTimestamp();
            var due = Math.Min(total, (long)((now - start) / ticksPerSolicit) + 1);
            if (due <= next)
            {
                if (now > giveUp) break;
                Thread.Sleep(1);
                continue;
            }
            for (; next < due; next++)
            {
                var client = (uint)next;
                Dhcp6.SetClient(packet, (_transactionBase + client) & 0xFFFFFF, client);
                var sentAt = Stopwatch.GetTimestamp();
                // A pass far behind is long: give up inside it too, not only between passes.
                if (sentAt > giveUp) break;
                _result.MaxBehindTicks = Math.Max(_result.MaxBehindTicks, sentAt - start - (long)(next * ticksPerSolicit));
                Volatile.Write(ref _sentAt[next], sentAt);
                // The receiver takes only client numbers below this, so never one whose time is not written yet.
                Volatile.Write(ref _result.Scheduled, next + 1);
                try
                {
                    _socket.SendTo(packet, SocketFlags.None, _destination);
                    _result.Sent++;
                    _result.LastSendTicks = sentAt;
                }
                catch (SocketException)
                {
                    _result.SendErrors++;   // e.g. ENOBUFS: this client is lost, the schedule goes on
                }
            }
            if (next < due || now > giveUp) break;
        }
        if (_result.Sent == 0) _result.LastSendTicks = Stopwatch.GetTimestamp();
        var lastDue = start + (long)((Volatile.Read(ref _result.Scheduled) - 1) * ticksPerSolicit);
        _result.BehindAtEndTicks = Math.Max(0, _result.LastSendTicks - lastDue);
    }

    private void Receive()
    {
        var buffer = new byte[65536];
        var from = new SocketAddress(AddressFamily.InterNetworkV6);
        var r = _result;
        while (true)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                if (Stopwatch.GetTimestamp() > Volatile.Read(ref _receiveDeadline)) return;
                continue;
            }
            var at = Stopwatch.GetTimestamp();
            if (at > Volatile.Read(ref _receiveDeadline)) return;
            var packet = buffer.AsSpan(0, length);
            var kind = Dhcp6.Classify(packet, out var clientId);
            if (kind == AnswerKind.Malformed) { r.Malformed++; continue; }
            var client = (Dhcp6.TransactionId(packet) - _transactionBase) & 0xFFFFFF;
            if (client >= Volatile.Read(ref r.Scheduled) || !Dhcp6.IsClient(_template, clientId, client)) { r.Unmatched++; continue; }
            if (_answered[client]) { r.Duplicates++; continue; }
            _answered[client] = true;
            switch (kind)
            {
                case AnswerKind.Completed:
                    var delay = at - Volatile.Read(ref _sentAt[client]);
                    r.Completed++;
                    r.DelaySumTicks += delay;
                    r.DelayMinTicks = Math.Min(r.DelayMinTicks, delay);
                    r.DelayMaxTicks = Math.Max(r.DelayMaxTicks, delay);
                    break;
                case AnswerKind.Advertise: r.Advertises++; break;
                case AnswerKind.ReplyWithoutLease: r.RepliesWithoutLease++; break;
                default: r.OtherTypes++; break;
            }
        }
    }
}
