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
        "reservations", "client-classes", "option-def",
        "mac-sources", "host-reservation-identifiers",
        "control-socket", "control-sockets", "dhcp-queue-control", "sanity-checks", "config-control",
        "reservation-mode", "reservations-global", "reservations-in-subnet", "reservations-out-of-pool",
        "reservations-lookup-first", "early-global-reservations-lookup", "ip-reservations-unique",
        "adaptive-lease-time-threshold", "store-extended-info",
        "statistic-default-sample-count", "statistic-default-sample-age", "compatibility", "data-directory",
        "dhcp4o6-port", "allow-address-registration",
    ];

    public static readonly string[] SubnetUnimplemented =
    [
        "reservations",
        "client-class", "client-classes", "require-client-classes", "evaluate-additional-classes",
        "reservation-mode", "reservations-global", "reservations-in-subnet", "reservations-out-of-pool",
        "adaptive-lease-time-threshold", "store-extended-info",
    ];

    /// <summary>Shared-network keys not implemented yet (the parameters it shares with subnets, minus the done ones).</summary>
    public static readonly string[] SharedNetworkUnimplemented =
    [
        "client-class", "client-classes", "require-client-classes", "evaluate-additional-classes",
        "reservation-mode", "reservations-global", "reservations-in-subnet", "reservations-out-of-pool",
        "adaptive-lease-time-threshold", "store-extended-info",
    ];

    public static readonly string[] PoolUnimplemented =
    [
        "client-class", "client-classes", "require-client-classes", "evaluate-additional-classes",
    ];

    /// <summary>Database-backend keys of <c>lease-database</c> that have no meaning for memfile.</summary>
    public static readonly string[] LeaseDatabaseUnimplemented =
    [
        "readonly",
        "tcp-user-timeout",
    ];

    /// <summary>Other daemons' sections that may share a file with Dhcp6 (Kea's old single-file layout).</summary>
    public static readonly string[] OtherTopLevel = ["Dhcp4", "DhcpDdns", "Control-agent", "Logging", "Netconf"];
}
