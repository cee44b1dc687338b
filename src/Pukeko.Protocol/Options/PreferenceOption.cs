namespace Pukeko.Protocol.Options;

/// <summary>Preference option (RFC 8415 §21.8): server preference 0..255 in Advertise.</summary>
public sealed class PreferenceOption : DhcpOption
{
    public PreferenceOption(byte value)
        : base(OptionCode.Preference)
    {
        Value = value;
    }

    public byte Value { get; set; }

    public override int DataLength => 1;

    public override void WriteData(Span<byte> destination) => destination[0] = Value;

    public override DhcpOption Clone() => new PreferenceOption(Value);

    public override string ToString() => $"preference {Value}";
}
