using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options;

namespace Pukeko.Protocol.Messages;

/// <summary>
/// One Relay-Forward or Relay-Reply level (RFC 8415 §9). The Relay Message option is not kept
/// here: the parser peels it into the next level and the writer regenerates it.
/// </summary>
public sealed class RelayLayer
{
    /// <summary>msg-type, hop-count, link-address, peer-address.</summary>
    public const int HeaderLength = 34;

    public RelayLayer()
    {
        Type = MessageType.RelayForward;
    }

    public RelayLayer(MessageType type, byte hopCount, Ipv6Address linkAddress, Ipv6Address peerAddress)
    {
        Type = type;
        HopCount = hopCount;
        LinkAddress = linkAddress;
        PeerAddress = peerAddress;
    }

    public MessageType Type { get; set; }

    public byte HopCount { get; set; }

    public Ipv6Address LinkAddress { get; set; }

    public Ipv6Address PeerAddress { get; set; }

    /// <summary>Every option of this level except Relay Message (9).</summary>
    public OptionCollection Options { get; } = new();

    public RelayLayer Clone()
    {
        var copy = new RelayLayer(Type, HopCount, LinkAddress, PeerAddress);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"{Type} hops={HopCount} link={LinkAddress} peer={PeerAddress} options={Options.Count}";
}
