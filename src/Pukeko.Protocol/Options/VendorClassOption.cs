using System.Buffers.Binary;

namespace Pukeko.Protocol.Options;

/// <summary>Vendor Class option (RFC 8415 §21.16): enterprise number and opaque vendor-class-data entries.</summary>
public sealed class VendorClassOption : DhcpOption
{
    public VendorClassOption(uint enterpriseNumber, IEnumerable<byte[]> entries)
        : base(OptionCode.VendorClass)
    {
        ArgumentNullException.ThrowIfNull(entries);
        EnterpriseNumber = enterpriseNumber;
        Entries = [.. entries];
    }

    public uint EnterpriseNumber { get; set; }

    public List<byte[]> Entries { get; }

    public override int DataLength => 4 + OpaqueDataList.GetLength(Entries);

    public override void WriteData(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, EnterpriseNumber);
        OpaqueDataList.Write(Entries, destination[4..]);
    }

    public override DhcpOption Clone() => new VendorClassOption(EnterpriseNumber, OpaqueDataList.DeepCopy(Entries));

    public override string ToString() => $"vendor-class enterprise={EnterpriseNumber} entries={Entries.Count}";
}
