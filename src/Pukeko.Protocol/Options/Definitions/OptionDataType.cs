namespace Pukeko.Protocol.Options.Definitions;

/// <summary>Data formats of option fields, named as in Kea's option definitions (see <see cref="OptionDataTypeNames"/>).</summary>
public enum OptionDataType
{
    Empty,
    Binary,
    Boolean,
    Int8,
    Int16,
    Int32,
    Uint8,
    Uint16,
    Uint32,
    Ipv4Address,
    Ipv6Address,
    Ipv6Prefix,
    Psid,
    String,
    Fqdn,
    Tuple,
    Record,
}
