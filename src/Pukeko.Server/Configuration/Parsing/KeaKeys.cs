namespace Pukeko.Server.Configuration.Parsing;

/// <summary>
/// Keys Kea's Dhcp6 grammar accepts (current Kea, plus deprecated spellings older configurations still carry) that
/// Pukeko does not implement yet. They produce a warning with their path instead of an error, so existing Kea
/// configurations load; keys in none of these lists and not implemented are rejected as Kea would reject them.
/// </summary>
internal static class KeaKeys
{
    public static readonly string[] GlobalUnimplemented =
    [
        "mac-sources", "host-reservation-identifiers",
    ];

    public static readonly string[] SubnetUnimplemented = [];

    /// <summary>Shared-network keys not implemented yet (the parameters it shares with subnets, minus the done ones).</summary>
    public static readonly string[] SharedNetworkUnimplemented = [];

    public static readonly string[] PoolUnimplemented = [];

    /// <summary>Database-backend keys of <c>lease-database</c> that have no meaning for memfile.</summary>
    public static readonly string[] LeaseDatabaseUnimplemented =
    [
        "readonly",
    ];

    /// <summary>Other daemons' sections that may share a file with Dhcp6 (Kea's old single-file layout).</summary>
    public static readonly string[] OtherTopLevel = ["Dhcp4", "DhcpDdns", "Control-agent", "Logging", "Netconf"];
}
