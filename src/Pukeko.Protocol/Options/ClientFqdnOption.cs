using Pukeko.Protocol.Encoding;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Client FQDN option (RFC 4704 §4): a flags byte and a domain name that is either fully
/// qualified (ends with the root label) or partial (no root label, the server completes it).
/// </summary>
public sealed class ClientFqdnOption : DhcpOption
{
    /// <summary>S: the server should perform the AAAA update (RFC 4704 §4.1).</summary>
    public const byte FlagS = 0x01;

    /// <summary>O: the server overrode the client's S preference.</summary>
    public const byte FlagO = 0x02;

    /// <summary>N: the server should not perform any DNS update.</summary>
    public const byte FlagN = 0x04;

    private string _domainName;

    public ClientFqdnOption(byte flags, string domainName, bool isPartialName = false)
        : base(OptionCode.ClientFqdn)
    {
        ArgumentNullException.ThrowIfNull(domainName);
        Flags = flags;
        _domainName = domainName;
        IsPartialName = isPartialName;
    }

    public byte Flags { get; set; }

    public bool ServerUpdates
    {
        get => (Flags & FlagS) != 0;
        set => Flags = value ? (byte)(Flags | FlagS) : (byte)(Flags & ~FlagS);
    }

    public bool Override
    {
        get => (Flags & FlagO) != 0;
        set => Flags = value ? (byte)(Flags | FlagO) : (byte)(Flags & ~FlagO);
    }

    public bool NoUpdate
    {
        get => (Flags & FlagN) != 0;
        set => Flags = value ? (byte)(Flags | FlagN) : (byte)(Flags & ~FlagN);
    }

    /// <summary>Name in text form without a trailing dot; empty when the client sent no name.</summary>
    public string DomainName
    {
        get => _domainName;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _domainName = value;
        }
    }

    /// <summary>True when the name lacks the root label (a host name the server should qualify).</summary>
    public bool IsPartialName { get; set; }

    public override int DataLength => 1 + DomainNameEncoding.GetWireLength(_domainName, fullyQualified: !IsPartialName);

    public override void WriteData(Span<byte> destination)
    {
        destination[0] = Flags;
        DomainNameEncoding.Write(_domainName, fullyQualified: !IsPartialName, destination[1..]);
    }

    public override DhcpOption Clone() => new ClientFqdnOption(Flags, _domainName, IsPartialName);

    public override string ToString() => $"client-fqdn flags={Flags} {_domainName}{(IsPartialName ? " (partial)" : string.Empty)}";
}
