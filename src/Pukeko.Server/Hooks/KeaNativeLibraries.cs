using System.Collections.Frozen;

namespace Pukeko.Server.Hooks;

/// <summary>What Pukeko does with a hook library that ships with Kea (a native <c>.so</c> it cannot load).</summary>
internal enum KeaNativeLibraryKind
{
    /// <summary>Its function is built into Pukeko; the entry is accepted and not loaded.</summary>
    BuiltIn,

    /// <summary>
    /// Not built in, but it never changes which client gets which lease: the configuration is accepted with a
    /// warning saying what is missing.
    /// </summary>
    NotBuiltIn,

    /// <summary>Running without it would hand out leases differently from Kea (or Kea refuses it too): an error.</summary>
    Refused,
}

/// <summary>One of Kea's hook libraries, and what running Pukeko without it means.</summary>
/// <param name="FileName">The library's file name, as Kea installs it.</param>
/// <param name="Title">What Kea's manual calls it.</param>
/// <param name="Kind">Whether the configuration is accepted.</param>
/// <param name="Consequence">What is lost or why it is refused, for the warning or error.</param>
internal sealed record KeaNativeLibrary(string FileName, string Title, KeaNativeLibraryKind Kind, string Consequence)
{
    /// <summary>The configuration warning or error text.</summary>
    public string Message => Kind switch
    {
        KeaNativeLibraryKind.BuiltIn => $"{FileName} is Kea's {Title} library, built into Pukeko: {Consequence}",
        _ when Title.Length == 0 => $"{FileName} is named like one of Kea's own hook libraries, but is none that Pukeko knows: {Consequence}",
        KeaNativeLibraryKind.NotBuiltIn => $"{FileName} is Kea's {Title} library, which is not built into Pukeko; ignored, so {Consequence}",
        _ => $"{FileName} is Kea's {Title} library, which Pukeko does not have: {Consequence}",
    };
}

/// <summary>
/// Kea's own hook libraries, recognised by file name wherever the configuration says they are (Kea's examples use
/// <c>/opt/lib/...</c> and bare names). The rule: a library that does not change who gets which lease is a warning
/// that names what is lost; one that does (or that kea-dhcp6 refuses as well) is an error that says why. Decided
/// per library from Kea's manual.
/// </summary>
internal static partial class KeaNativeLibraries
{
    private const string NotAvailable = "its commands are not available";

    private static readonly KeaNativeLibrary[] Table =
    [
        new("libdhcp_lease_cmds.so", "Lease Commands", KeaNativeLibraryKind.BuiltIn, "its lease6-* commands are served natively"),
        new("libdhcp_host_cmds.so", "Host Commands", KeaNativeLibraryKind.BuiltIn, "its reservation-* commands are served natively on the configuration's reservations"),
        new("libdhcp_subnet_cmds.so", "Subnet Commands", KeaNativeLibraryKind.BuiltIn, "its subnet6-* and network6-* commands are served natively"),
        new("libdhcp_class_cmds.so", "Class Commands", KeaNativeLibraryKind.BuiltIn, "its class-* commands are served natively"),
        new("libdhcp_legal_log.so", "Forensic Logging", KeaNativeLibraryKind.BuiltIn, "lease events and lease commands are written natively to its forensic log (files, syslog or PostgreSQL; not MySQL)"),
        new("libdhcp_forensic_log.so", "Forensic Logging", KeaNativeLibraryKind.BuiltIn, "lease events and lease commands are written natively to its forensic log (files, syslog or PostgreSQL; not MySQL)"),
        new("libdhcp_run_script.so", "Run Script", KeaNativeLibraryKind.BuiltIn, "its script is run natively on lease events, with Kea's arguments and environment variables, without the packet waiting for it"),
        new("libdhcp_pgsql.so", "PostgreSQL", KeaNativeLibraryKind.BuiltIn, "\"lease-database\": { \"type\": \"postgresql\" } is served by Pukeko's own PostgreSQL backend (Kea 2.2's schema), with or without this entry"),
        new("libdhcp_limits.so", "Limits", KeaNativeLibraryKind.BuiltIn, "the rate-limit of classes and subnets and the address-limit and prefix-limit of subnets (in their user-context) are applied natively; lease limits of classes are refused"),
        new("libdhcp_ha.so", "High Availability", KeaNativeLibraryKind.BuiltIn, "its state machine, heartbeats, scopes and lease updates to the partner run natively (see docs/ha.md for what is not built in yet)"),
        new("libdhcp_lease_query.so", "Leasequery", KeaNativeLibraryKind.BuiltIn, "LEASEQUERY messages from its requesters are answered natively (RFC 5007), and bulk leasequery over TCP (RFC 5460) when its advanced map enables it"),
        new("libdhcp_stat_cmds.so", "Statistics Commands", KeaNativeLibraryKind.BuiltIn, "its stat-lease6-get (and stat-lease4-get) commands are served natively"),
        new("libdhcp_flex_id.so", "Flexible Identifier", KeaNativeLibraryKind.BuiltIn, "its identifier-expression gives the flex-id of host reservations, and replace-client-id and ignore-iaid apply, natively"),
        new("libdhcp_rbac.so", "Role-Based Access Control", KeaNativeLibraryKind.BuiltIn, "the roles, access control lists and response filters apply natively to commands received on the HTTP and HTTPS control sockets"),
        new("libca_rbac.so", "Role-Based Access Control", KeaNativeLibraryKind.BuiltIn, "the roles, access control lists and response filters apply natively to commands received on the HTTP and HTTPS control sockets"),

        // Management commands and observers: answers to clients are unchanged.
        new("libdhcp_cb_cmds.so", "Configuration Backend Commands", KeaNativeLibraryKind.NotBuiltIn, NotAvailable + " (remote-*)"),
        new("libdhcp_perfmon.so", "PerfMon", KeaNativeLibraryKind.NotBuiltIn, "no packet-processing durations are monitored and no alarms raised"),
        new("libdhcp_ddns_tuning.so", "DDNS Tuning", KeaNativeLibraryKind.NotBuiltIn, "host names are not computed by its expressions"),
        new("libdhcp_flex_option.so", "Flexible Option", KeaNativeLibraryKind.NotBuiltIn, "the options it would add, supersede or remove are not changed in replies"),
        new("libdhcp_host_cache.so", "Host Cache", KeaNativeLibraryKind.NotBuiltIn, "no host lookups are cached"),

        // Running without these would answer clients differently, or leave commands unguarded.
        new("libdhcp_radius.so", "RADIUS", KeaNativeLibraryKind.Refused, "clients would not be authorized and addresses RADIUS assigns would not be given"),
        new("libdhcp_user_chk.so", "User Check", KeaNativeLibraryKind.Refused, "unknown users would not be moved to the last subnet"),
        new("libdhcp_mysql.so", "MySQL", KeaNativeLibraryKind.Refused, "it provides the MySQL lease, host and configuration backends, and Pukeko has no MySQL backend (use memfile or postgresql in lease-database)"),
        new("libdhcp_mysql_cb.so", "MySQL Configuration Backend", KeaNativeLibraryKind.Refused, "subnets, options and classes kept in the database would be missing"),
        new("libdhcp_pgsql_cb.so", "PostgreSQL Configuration Backend", KeaNativeLibraryKind.Refused, "subnets, options and classes kept in the database would be missing"),
        new("libdhcp_bootp.so", "BOOTP", KeaNativeLibraryKind.Refused, "it is for kea-dhcp4 only, and kea-dhcp6 refuses to load it"),
        new("libdhcp_ping_check.so", "Ping Check", KeaNativeLibraryKind.Refused, "it is for kea-dhcp4 only, and kea-dhcp6 refuses to load it"),
        new("libddns_gss_tsig.so", "GSS-TSIG", KeaNativeLibraryKind.Refused, "it is for kea-dhcp-ddns only"),
    ];

    private static readonly FrozenDictionary<string, KeaNativeLibrary> ByFileName = Table.ToFrozenDictionary(l => l.FileName, StringComparer.Ordinal);

    public static IReadOnlyList<KeaNativeLibrary> All => Table;

    /// <summary>
    /// The Kea library a configured path names, by its file name; null for anything else. A name in Kea's pattern
    /// (<c>libdhcp_*.so</c>, <c>libddns_*.so</c>, <c>libca_*.so</c>) that is not in the table is a native library
    /// Pukeko can neither load nor judge, so it is refused as one that could change who gets which lease.
    /// </summary>
    public static KeaNativeLibrary? Find(string libraryPath)
    {
        var name = Path.GetFileName((libraryPath ?? "").Trim());
        if (ByFileName.TryGetValue(name, out var known))
        {
            return known;
        }

        return KeaPattern().IsMatch(name)
            ? new KeaNativeLibrary(name, UnknownTitle, KeaNativeLibraryKind.Refused, "Pukeko cannot load native libraries (its hook libraries are .NET assemblies) and does not know what this one does, so running without it could hand out leases differently from Kea")
            : null;
    }

    /// <summary>The title of a library named in Kea's pattern that is not in the table.</summary>
    internal const string UnknownTitle = "";

    [System.Text.RegularExpressions.GeneratedRegex(@"^lib(dhcp|ddns|ca)_[A-Za-z0-9_]+\.so$")]
    private static partial System.Text.RegularExpressions.Regex KeaPattern();

    /// <summary>True for the forensic logging library under either of its names.</summary>
    public static bool IsForensicLog(string libraryPath) =>
        Find(libraryPath) is { FileName: "libdhcp_legal_log.so" or "libdhcp_forensic_log.so" };
}
