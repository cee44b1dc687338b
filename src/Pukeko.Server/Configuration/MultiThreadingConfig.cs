namespace Pukeko.Server.Configuration;

/// <summary>
/// <c>multi-threading</c>. <paramref name="ThreadPoolSize"/> 0 = one thread per CPU; <paramref name="PacketQueueSize"/>
/// 0 = unbounded.
/// </summary>
internal sealed record MultiThreadingConfig(bool Enabled = true, int ThreadPoolSize = 0, int PacketQueueSize = 64)
{
    public static MultiThreadingConfig Default { get; } = new();
}
