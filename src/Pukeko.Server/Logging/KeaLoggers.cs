namespace Pukeko.Server.Logging;

/// <summary>
/// Kea logger names. Use these as the <c>ILogger</c> category name
/// (<c>loggerFactory.CreateLogger(KeaLoggers.Packets)</c>); the category is printed
/// as-is inside the brackets of every line (<c>[kea-dhcp6.packets/pid.tid]</c>) and is
/// the name matched against the <c>loggers[].name</c> configuration entries.
/// </summary>
internal static class KeaLoggers
{
    /// <summary>The root logger; configuring it configures every logger below it.</summary>
    public const string Root = "kea-dhcp6";

    public const string Dhcp6 = "kea-dhcp6.dhcp6";
    public const string BadPackets = "kea-dhcp6.bad-packets";
    public const string Packets = "kea-dhcp6.packets";
    public const string Options = "kea-dhcp6.options";
    public const string Leases = "kea-dhcp6.leases";
    public const string Ddns = "kea-dhcp6.ddns";
    public const string Hooks = "kea-dhcp6.hooks";
    public const string Callouts = "kea-dhcp6.callouts";
    public const string Dhcpsrv = "kea-dhcp6.dhcpsrv";
    public const string AllocEngine = "kea-dhcp6.alloc-engine";
    public const string Hosts = "kea-dhcp6.hosts";
    public const string Eval = "kea-dhcp6.eval";
    public const string Commands = "kea-dhcp6.commands";
    public const string Database = "kea-dhcp6.database";
    public const string Stats = "kea-dhcp6.stats";
    public const string Dhcp4o6 = "kea-dhcp6.dhcp4o6";
    public const string LeaseCmdsHooks = "kea-dhcp6.lease-cmds-hooks";

    /// <summary>
    /// Maps a category / configured logger name onto the Kea hierarchy, as Kea does for
    /// short names: <c>kea-dhcp6</c> and <c>kea-dhcp6.*</c> are kept; a name without a
    /// dot (e.g. <c>lease-cmds-hooks</c>) becomes <c>kea-dhcp6.lease-cmds-hooks</c>;
    /// any other dotted name (a .NET category such as <c>Microsoft.Hosting.Lifetime</c>)
    /// is returned unchanged and treated as foreign by the provider.
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsKeaName(name))
        {
            return name;
        }
        if (name.Length > 0 && !name.Contains('.', StringComparison.Ordinal))
        {
            return Root + "." + name;
        }
        return name;
    }

    /// <summary>True for <c>kea-dhcp6</c> itself and names below it.</summary>
    public static bool IsKeaName(string name) =>
        string.Equals(name, Root, StringComparison.Ordinal)
        || (name.Length > Root.Length + 1
            && name.StartsWith(Root, StringComparison.Ordinal)
            && name[Root.Length] == '.');
}
