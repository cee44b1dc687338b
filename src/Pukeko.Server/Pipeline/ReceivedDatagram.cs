using Pukeko.Protocol.Addressing;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// One datagram as the transport hands it to the pipeline: a rented buffer (returned by the
/// pipeline when done), the addresses and the receiving interface.
/// </summary>
internal sealed class ReceivedDatagram
{
    public required byte[] Buffer { get; init; }

    public required int Length { get; init; }

    public required Ipv6Address RemoteAddress { get; init; }

    public required ushort RemotePort { get; init; }

    public required Ipv6Address LocalAddress { get; init; }

    public required ushort LocalPort { get; init; }

    public required int InterfaceIndex { get; init; }

    public required string InterfaceName { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Set by the transport so the buffer goes back to its pool; null for test buffers.</summary>
    public Action<byte[]>? ReturnBuffer { get; init; }

    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
}
