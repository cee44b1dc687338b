using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// One datagram as the transport hands it to the pipeline: a rented buffer (returned by the
/// pipeline when done), the addresses and the receiving interface.
/// </summary>
/// <remarks>
/// Settable so a worker can reuse one for every datagram it runs: the pipeline copies what it needs before it returns
/// (or goes asynchronous), so nothing holds the object afterwards.
/// </remarks>
internal sealed class ReceivedDatagram
{
    public required byte[] Buffer { get; set; }

    public required int Length { get; set; }

    public required Ipv6Address RemoteAddress { get; set; }

    public required ushort RemotePort { get; set; }

    public required Ipv6Address LocalAddress { get; set; }

    public required ushort LocalPort { get; set; }

    public required int InterfaceIndex { get; set; }

    public required string InterfaceName { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Set by the transport so the buffer goes back to its pool; null for test buffers.</summary>
    public Action<byte[]>? ReturnBuffer { get; set; }

    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
}
