namespace Pukeko.Protocol.Options;

/// <summary>User Class option (RFC 8415 §21.15): opaque user-class-data entries.</summary>
public sealed class UserClassOption : DhcpOption
{
    public UserClassOption(IEnumerable<byte[]> entries)
        : base(OptionCode.UserClass)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = [.. entries];
    }

    public List<byte[]> Entries { get; }

    public override int DataLength => OpaqueDataList.GetLength(Entries);

    public override void WriteData(Span<byte> destination) => OpaqueDataList.Write(Entries, destination);

    public override DhcpOption Clone() => new UserClassOption(OpaqueDataList.DeepCopy(Entries));

    public override string ToString() => $"user-class entries={Entries.Count}";
}
