namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>multi-threading</c>. <paramref name="ThreadPoolSize"/> 0 = one thread per CPU; <paramref name="PacketQueueSize"/>
/// 0 = unbounded. <paramref name="QueueControl"/>: without threads, Kea's <c>dhcp-queue-control</c> is enabled (its
/// capacity is then <paramref name="PacketQueueSize"/>).
/// </summary>
internal sealed record MultiThreadingConfig(bool Enabled = true, int ThreadPoolSize = 0, int PacketQueueSize = 64, bool QueueControl = false)
{
    /// <summary>
    /// Whether packets wait in a queue between the socket and the worker: only with queue control and no threads (Kea's
    /// ring buffer). Kea's single-threaded server without it has no queue: its one thread receives and processes each
    /// packet. With threads, every worker does the same on the one socket (the kernel hands each datagram to one of
    /// them), which saves a hand-over per packet; <see cref="PacketQueueSize"/> then bounds the socket's buffer instead
    /// of a queue in the process (<see cref="ReceiveBufferBytes"/>).
    /// </summary>
    public bool HasPacketQueue => !Enabled && QueueControl;

    /// <summary>
    /// The receive buffer the UDP socket asks the kernel for. With threads the kernel's buffer is where packets wait, so
    /// <see cref="PacketQueueSize"/> sizes it: 2 KB asked per packet, at least 128 KB. Linux doubles what is asked and
    /// charges a small query about 800 bytes, so that is room for about five queries per packet of the setting. Bounded
    /// like Kea's queue, but larger: at the rates such a setting serves, a query that waited there is still answered
    /// well within its client's first retransmission (1 s) and is worth answering. Measured on PostgreSQL at twice the
    /// rate the server sustains (packet-queue-size 300): answers waited 0.35 s on average (at most 0.6 s); a buffer of a
    /// quarter the size cut that to 0.1 s but answered 15 to 25 % fewer clients. Without threads, and for an unbounded
    /// queue (0), 4 MB.
    /// </summary>
    public int ReceiveBufferBytes =>
        Enabled && PacketQueueSize > 0
            ? (int)Math.Clamp(PacketQueueSize * 2048L, MinReceiveBufferBytes, MaxReceiveBufferBytes)
            : MaxReceiveBufferBytes;

    private const int MinReceiveBufferBytes = 128 * 1024;

    private const int MaxReceiveBufferBytes = 4 * 1024 * 1024;

    public static MultiThreadingConfig Default { get; } = new();
}
