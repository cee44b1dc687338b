namespace Pukeko.Server.HighAvailability;

/// <summary>How the servers of one HA relationship share the work (Kea's <c>mode</c>).</summary>
internal enum HaMode
{
    /// <summary><c>load-balancing</c>: primary and secondary each serve their half of the clients.</summary>
    LoadBalancing,

    /// <summary><c>hot-standby</c>: the primary serves everyone; the standby takes over when it fails.</summary>
    HotStandby,

    /// <summary><c>passive-backup</c>: the primary serves everyone and copies its leases to backups.</summary>
    PassiveBackup,
}
