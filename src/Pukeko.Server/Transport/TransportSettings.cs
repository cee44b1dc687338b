namespace Pukeko.Server.Transport;

/// <summary>
/// What a <see cref="UdpTransport"/> is built from: the served interfaces, the port, workers and queue size, or
/// <paramref name="ReceiveInWorkers"/> (no queue: each worker receives its own packets), the socket's receive buffer, and
/// the datagrams taken per receive call (<paramref name="Batch"/>).
/// </summary>
internal sealed record TransportSettings(IReadOnlyList<InterfaceInfo> Interfaces, ushort Port, int Workers, int QueueSize, bool ReceiveInWorkers, int ReceiveBufferBytes, int Batch = 1)
{
    /// <summary>
    /// Datagrams per receive call when no query waits on a database: enough to take the system calls off the packet
    /// under load (one in, one out per 32), few enough that the first reply of a batch waits well under a millisecond.
    /// </summary>
    public const int MemoryBatch = 32;

    /// <summary>Equal keys mean the running transport can stay (and keep the packets it has queued).</summary>
    public string Key => $"{string.Join(',', Interfaces.Select(i => $"{i.Name}:{i.Index}"))}|{Port}|{Workers}|{QueueSize}|{ReceiveInWorkers}|{ReceiveBufferBytes}|{Batch}";
}
