namespace Pukeko.Protocol.Options;

/// <summary>
/// An option kept as opaque bytes: unknown codes, unknown sub-options, Interface-ID (RFC 8415 §21.18)
/// and configured options that have no typed class. Round-trips byte-exact.
/// </summary>
public sealed class RawOption : DhcpOption
{
    private byte[] _data;

    public RawOption(ushort code, byte[] data)
        : base(code)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
    }

    public RawOption(ushort code, ReadOnlySpan<byte> data)
        : this(code, data.ToArray())
    {
    }

    public byte[] Data
    {
        get => _data;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _data = value;
        }
    }

    public override int DataLength => _data.Length;

    public override void WriteData(Span<byte> destination) => _data.CopyTo(destination);

    public override DhcpOption Clone() => new RawOption(Code, (byte[])_data.Clone());
}
