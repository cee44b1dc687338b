using Pukeko.Protocol.Messages;

namespace Pukeko.Protocol.Options;

/// <summary>Reconfigure Message option (RFC 8415 §21.19): the message type the client should answer with (Renew, Rebind, Information-request).</summary>
public sealed class ReconfigureMessageOption : DhcpOption
{
    public ReconfigureMessageOption(MessageType messageType)
        : base(OptionCode.ReconfigureMessage)
    {
        MessageType = messageType;
    }

    public MessageType MessageType { get; set; }

    public override int DataLength => 1;

    public override void WriteData(Span<byte> destination) => destination[0] = (byte)MessageType;

    public override DhcpOption Clone() => new ReconfigureMessageOption(MessageType);

    public override string ToString() => $"reconf-msg {MessageType}";
}
