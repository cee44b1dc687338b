using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>
/// OPTION_LQ_RELAY_DATA (47, RFC 5007 §4.1.2.4): the peer address and the Relay-forward message (all its layers,
/// without the client's own message) last received for the client's binding.
/// </summary>
public sealed class LqRelayDataOption : DhcpOption
{
    /// <summary>The peer address.</summary>
    public const int FixedLength = 16;

    private byte[] _relayMessage;

    public LqRelayDataOption(Ipv6Address peerAddress, ReadOnlySpan<byte> relayMessage)
        : base(OptionCode.LqRelayData)
    {
        PeerAddress = peerAddress;
        _relayMessage = relayMessage.ToArray();
    }

    public Ipv6Address PeerAddress { get; set; }

    /// <summary>The DHCP-relay-message field: the outermost Relay-forward header and what it holds.</summary>
    public byte[] RelayMessage
    {
        get => _relayMessage;
        set => _relayMessage = value ?? throw new ArgumentNullException(nameof(value));
    }

    public override int DataLength => FixedLength + _relayMessage.Length;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteAddress(PeerAddress);
        writer.WriteBytes(_relayMessage);
    }

    public override DhcpOption Clone() => new LqRelayDataOption(PeerAddress, _relayMessage);

    public override string ToString() => $"lq-relay-data peer={PeerAddress} ({_relayMessage.Length} bytes)";
}
