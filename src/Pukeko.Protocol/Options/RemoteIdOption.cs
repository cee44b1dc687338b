using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Relay Agent Remote-ID option (RFC 4649 §3): enterprise number and opaque remote-id.</summary>
public sealed class RemoteIdOption : DhcpOption
{
    private byte[] _remoteId;

    public RemoteIdOption(uint enterpriseNumber, byte[] remoteId)
        : base(OptionCode.RemoteId)
    {
        ArgumentNullException.ThrowIfNull(remoteId);
        EnterpriseNumber = enterpriseNumber;
        _remoteId = remoteId;
    }

    public uint EnterpriseNumber { get; set; }

    public byte[] RemoteId
    {
        get => _remoteId;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _remoteId = value;
        }
    }

    public override int DataLength => 4 + _remoteId.Length;

    public override void WriteData(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, EnterpriseNumber);
        _remoteId.CopyTo(destination[4..]);
    }

    public override DhcpOption Clone() => new RemoteIdOption(EnterpriseNumber, (byte[])_remoteId.Clone());

    public override string ToString() => $"remote-id enterprise={EnterpriseNumber} {Encoding.HexText.Format(_remoteId)}";
}
