namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>multi-threading</c>. <paramref name="ThreadPoolSize"/> 0 = one thread per CPU; <paramref name="PacketQueueSize"/>
/// 0 = unbounded. <paramref name="QueueControl"/>: without threads, Kea's <c>dhcp-queue-control</c> is enabled (its
/// capacity is then <paramref name="PacketQueueSize"/>).
/// </summary>
internal sealed record MultiThreadingConfig(bool Enabled = true, int ThreadPoolSize = 0, int PacketQueueSize = 64, bool QueueControl = false)
{
    /// <summary>
    /// Whether packets wait in a queue between the socket and the workers: with threads, or with queue control. Kea's
    /// single-threaded server without it has no queue; its one thread receives and processes each packet.
    /// </summary>
    public bool HasPacketQueue => Enabled || QueueControl;

    public static MultiThreadingConfig Default { get; } = new();
}
