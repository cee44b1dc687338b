using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Vendor-specific Information option (RFC 8415 §21.17): enterprise number and vendor sub-options
/// (same 2+2 byte header as options). Sub-options are kept as <see cref="RawOption"/>, since their
/// meaning depends on the vendor.
/// </summary>
public sealed class VendorOptsOption : DhcpOption
{
    public VendorOptsOption(uint enterpriseNumber)
        : base(OptionCode.VendorOpts)
    {
        EnterpriseNumber = enterpriseNumber;
    }

    public uint EnterpriseNumber { get; set; }

    public OptionCollection Options { get; } = new();

    public override int DataLength => 4 + Options.DataLength;

    public override void WriteData(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, EnterpriseNumber);
        Options.WriteTo(destination[4..]);
    }

    public override DhcpOption Clone()
    {
        var copy = new VendorOptsOption(EnterpriseNumber);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"vendor-opts enterprise={EnterpriseNumber} options={Options.Count}";
}
