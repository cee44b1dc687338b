namespace Pukeko.Protocol.Options;

/// <summary>Which code table applies to a sequence of options being decoded.</summary>
internal enum OptionSpace
{
    /// <summary>Top-level DHCPv6 options and those encapsulated by IA options.</summary>
    Dhcp6,

    /// <summary>Vendor-specific sub-options: kept raw.</summary>
    Vendor,

    /// <summary>NTP server sub-options (RFC 5908).</summary>
    NtpServer,
}
