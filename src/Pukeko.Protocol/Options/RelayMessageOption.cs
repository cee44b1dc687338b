namespace Pukeko.Protocol.Options;

/// <summary>
/// Relay Message option (RFC 8415 §21.10) holding the raw bytes of the relayed message.
/// <see cref="Messages.Dhcp6Parser"/> peels relay levels instead of producing this; it only
/// appears when option 9 shows up somewhere unexpected, or when built by hand.
/// </summary>
public sealed class RelayMessageOption : DhcpOption
{
    private byte[] _message;

    public RelayMessageOption(byte[] message)
        : base(OptionCode.RelayMessage)
    {
        ArgumentNullException.ThrowIfNull(message);
        _message = message;
    }

    public byte[] Message
    {
        get => _message;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _message = value;
        }
    }

    public override int DataLength => _message.Length;

    public override void WriteData(Span<byte> destination) => _message.CopyTo(destination);

    public override DhcpOption Clone() => new RelayMessageOption((byte[])_message.Clone());
}
