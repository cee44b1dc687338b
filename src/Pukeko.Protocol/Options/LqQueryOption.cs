using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>
/// OPTION_LQ_QUERY (44, RFC 5007 §4.1.2.2): what a leasequery asks for — the query type, the link it is about
/// (<c>::</c> for any) and the query's own options (an IA Address, a Client Identifier, a Relay-ID ...).
/// </summary>
public sealed class LqQueryOption : DhcpOption
{
    /// <summary>Query type and link address.</summary>
    public const int FixedLength = 17;

    public LqQueryOption(LeasequeryType queryType, Ipv6Address linkAddress)
        : base(OptionCode.LqQuery)
    {
        QueryType = queryType;
        LinkAddress = linkAddress;
    }

    public LeasequeryType QueryType { get; set; }

    public Ipv6Address LinkAddress { get; set; }

    /// <summary>The query-options.</summary>
    public OptionCollection Options { get; } = new();

    public override int DataLength => FixedLength + Options.DataLength;

    public override void WriteData(Span<byte> destination)
    {
        var writer = new WireWriter(destination);
        writer.WriteByte((byte)QueryType);
        writer.WriteAddress(LinkAddress);
        Options.WriteTo(writer.RemainingSpan);
    }

    public override DhcpOption Clone()
    {
        var copy = new LqQueryOption(QueryType, LinkAddress);
        Options.CopyTo(copy.Options);
        return copy;
    }

    public override string ToString() => $"lq-query type={(byte)QueryType} link={LinkAddress}";
}

/// <summary>Leasequery query types (RFC 5007 §4.1.2.2 and RFC 5460 §5.3).</summary>
public enum LeasequeryType : byte
{
    ByAddress = 1,
    ByClientId = 2,
    ByRelayId = 3,
    ByLinkAddress = 4,
    ByRemoteId = 5,
}
