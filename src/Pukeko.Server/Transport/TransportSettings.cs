namespace Pukeko.Server.Transport;

/// <summary>
/// What a <see cref="UdpTransport"/> is built from: the served interfaces, the port, workers and queue size, or
/// <paramref name="ReceiveInWorkers"/> (no queue: each worker receives its own packets), and the socket's receive buffer.
/// </summary>
internal sealed record TransportSettings(IReadOnlyList<InterfaceInfo> Interfaces, ushort Port, int Workers, int QueueSize, bool ReceiveInWorkers, int ReceiveBufferBytes)
{
    /// <summary>Equal keys mean the running transport can stay (and keep the packets it has queued).</summary>
    public string Key => $"{string.Join(',', Interfaces.Select(i => $"{i.Name}:{i.Index}"))}|{Port}|{Workers}|{QueueSize}|{ReceiveInWorkers}|{ReceiveBufferBytes}";
}
