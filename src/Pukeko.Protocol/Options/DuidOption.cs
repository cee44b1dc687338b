using Pukeko.Protocol.Duids;

namespace Pukeko.Protocol.Options;

/// <summary>Client Identifier (1) or Server Identifier (2) option: a DUID (RFC 8415 §21.2, §21.3).</summary>
public sealed class DuidOption : DhcpOption
{
    private Duid _duid;

    public DuidOption(ushort code, Duid duid)
        : base(code)
    {
        if (code is not (OptionCode.ClientId or OptionCode.ServerId))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "a DUID option is Client-ID (1) or Server-ID (2)");
        }

        ArgumentNullException.ThrowIfNull(duid);
        _duid = duid;
    }

    public Duid Duid
    {
        get => _duid;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _duid = value;
        }
    }

    public override int DataLength => _duid.Length;

    public override void WriteData(Span<byte> destination) => _duid.Bytes.CopyTo(destination);

    // Duid is immutable, so sharing it is a deep copy.
    public override DhcpOption Clone() => new DuidOption(Code, _duid);

    public override string ToString() => $"{(Code == OptionCode.ClientId ? "client-id" : "server-id")} {_duid}";
}
