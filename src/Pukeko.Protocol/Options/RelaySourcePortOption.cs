using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Relay Source Port option (RFC 8357 §5.2): the UDP source port the relay used.</summary>
public sealed class RelaySourcePortOption : DhcpOption
{
    public RelaySourcePortOption(ushort port)
        : base(OptionCode.RelaySourcePort)
    {
        Port = port;
    }

    public ushort Port { get; set; }

    public override int DataLength => 2;

    public override void WriteData(Span<byte> destination) => BinaryPrimitives.WriteUInt16BigEndian(destination, Port);

    public override DhcpOption Clone() => new RelaySourcePortOption(Port);

    public override string ToString() => $"relay-source-port {Port}";
}
