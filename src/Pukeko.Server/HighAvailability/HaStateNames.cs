namespace Pukeko.Server.HighAvailability;

/// <summary>Kea's HA state names, as heartbeats, <c>status-get</c> and <c>state-machine</c> spell them.</summary>
internal static class HaStateNames
{
    public const string Backup = "backup";
    public const string CommunicationRecovery = "communication-recovery";
    public const string HotStandby = "hot-standby";
    public const string LoadBalancing = "load-balancing";
    public const string InMaintenance = "in-maintenance";
    public const string PartnerDown = "partner-down";
    public const string PartnerInMaintenance = "partner-in-maintenance";
    public const string PassiveBackup = "passive-backup";
    public const string Ready = "ready";
    public const string Syncing = "syncing";
    public const string Terminated = "terminated";
    public const string Waiting = "waiting";

    /// <summary>The partner's pseudo-state while it cannot be reached.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Every state a server can be in (not <see cref="Unavailable"/>).</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Backup, CommunicationRecovery, HotStandby, LoadBalancing, InMaintenance, PartnerDown, PartnerInMaintenance,
        PassiveBackup, Ready, Syncing, Terminated, Waiting,
    };
}
