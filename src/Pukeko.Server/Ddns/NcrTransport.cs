using System.Net;
using System.Net.Sockets;

namespace Pukeko.Server.Ddns;

/// <summary>Where the sender's datagrams go: the socket, or a stand-in in tests.</summary>
internal interface INcrTransport : IDisposable
{
    /// <summary>The local address requests leave from, for the log; null when there is no socket.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>Sends one datagram; <see cref="SocketError.Success"/> or why the socket refused it.</summary>
    ValueTask<SocketError> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancel);

    /// <summary>
    /// An error reported since the last call for a datagram already sent (an ICMP port unreachable from a stopped
    /// daemon arrives after the send), cleared by reading it.
    /// </summary>
    SocketError TakeLateError();
}

/// <summary>
/// A UDP socket bound to <c>sender-ip</c>/<c>sender-port</c> and connected to <c>server-ip</c>/<c>server-port</c>:
/// connected, so that the kernel reports the ICMP errors of a daemon that is not listening (ECONNREFUSED), which is
/// how the sender learns that kea-dhcp-ddns is down and holds its requests instead of losing them.
/// </summary>
internal sealed class UdpNcrTransport : INcrTransport
{
    private readonly Socket _socket;

    public UdpNcrTransport(IPEndPoint sender, IPEndPoint server)
    {
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(sender);
            _socket.Connect(server);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    public async ValueTask<SocketError> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancel)
    {
        try
        {
            await _socket.SendAsync(datagram, SocketFlags.None, cancel).ConfigureAwait(false);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    public SocketError TakeLateError() =>
        _socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int code ? (SocketError)code : SocketError.Success;

    public void Dispose() => _socket.Dispose();
}

/// <summary>A transport that hands datagrams to a delegate (tests); a <see cref="SocketException"/> it throws is the send's error.</summary>
internal sealed class DelegateNcrTransport(Func<byte[], CancellationToken, ValueTask> transmit) : INcrTransport
{
    public EndPoint? LocalEndPoint => null;

    public async ValueTask<SocketError> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancel)
    {
        try
        {
            await transmit(datagram.ToArray(), cancel).ConfigureAwait(false);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    public SocketError TakeLateError() => SocketError.Success;

    public void Dispose()
    {
    }
}
