namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Kea's HA state transitions (<c>ha_service.cc</c>'s state handlers, digest §1.4): the next state from this
/// server's state and what it knows of its partner; null to stay. Pure, so every rule is testable on its own.
/// </summary>
internal static class HaTransitions
{
    /// <summary>A partner clock further off than this stops the relationship (Kea: 60 s).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>The state in which the mode serves clients normally.</summary>
    public static string NormalState(HaMode mode) => mode switch
    {
        HaMode.LoadBalancing => HaStateNames.LoadBalancing,
        HaMode.PassiveBackup => HaStateNames.PassiveBackup,
        _ => HaStateNames.HotStandby,
    };

    /// <summary>Kea's communication-recovery: load-balancing with a positive <c>delayed-updates-limit</c>.</summary>
    public static bool AllowsCommunicationRecovery(HaRelationshipConfig config) => config.Mode == HaMode.LoadBalancing && config.DelayedUpdatesLimit > 0;

    /// <summary>A partner state that cannot occur in this mode (Kea's <c>isPartnerStateInvalid</c>): the configurations differ.</summary>
    public static bool IsInvalidForMode(HaRelationshipConfig config, string partner) => partner switch
    {
        HaStateNames.CommunicationRecovery or HaStateNames.LoadBalancing => config.Mode != HaMode.LoadBalancing,
        HaStateNames.HotStandby => config.Mode != HaMode.HotStandby,
        _ => false,
    };

    /// <param name="config">The relationship.</param>
    /// <param name="state">This server's state.</param>
    /// <param name="partnerState">The partner's state from its last heartbeat; null or <c>unavailable</c> when unknown.</param>
    /// <param name="partnerDown">Kea's partner-down test: communication interrupted and, where it applies, enough unanswered clients.</param>
    /// <param name="partnerHasUnsentUpdates">The partner's unsent-update-count changed with its last heartbeat and is above zero.</param>
    /// <param name="clockSkew">Partner clock minus ours.</param>
    /// <param name="communicationInterrupted">No successful heartbeat for longer than <c>max-response-delay</c>.</param>
    /// <param name="backlogOverflowed">The communication-recovery backlog exceeded <c>delayed-updates-limit</c>.</param>
    public static string? Next(HaRelationshipConfig config, string state, string? partnerState, bool partnerDown, bool partnerHasUnsentUpdates, TimeSpan clockSkew, bool communicationInterrupted = false, bool backlogOverflowed = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (state is HaStateNames.Backup or HaStateNames.PassiveBackup or HaStateNames.Terminated or HaStateNames.InMaintenance)
        {
            return null;
        }

        var self = config.ThisServer;
        if (state == HaStateNames.Waiting && self.Role == HaRole.Backup)
        {
            return HaStateNames.Backup;
        }

        if (state == HaStateNames.Waiting && config.Mode == HaMode.PassiveBackup)
        {
            return HaStateNames.PassiveBackup;
        }

        var partner = partnerState ?? HaStateNames.Unavailable;
        if (partner != HaStateNames.Unavailable && clockSkew.Duration() > MaxClockSkew)
        {
            return HaStateNames.Terminated;
        }

        var normal = NormalState(config.Mode);
        var primary = self.Role == HaRole.Primary;
        var afterWaiting = config.SyncLeases ? HaStateNames.Syncing : HaStateNames.Ready;
        return state switch
        {
            HaStateNames.Waiting => partner switch
            {
                HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.CommunicationRecovery or HaStateNames.Ready
                    or HaStateNames.PartnerDown or HaStateNames.InMaintenance or HaStateNames.PartnerInMaintenance => afterWaiting,

                // Both waiting: the primary moves first.
                HaStateNames.Waiting => primary ? afterWaiting : null,
                HaStateNames.Unavailable => partnerDown ? HaStateNames.PartnerDown : null,
                _ => null,
            },
            HaStateNames.Syncing => partner switch
            {
                HaStateNames.Terminated => HaStateNames.Terminated,
                HaStateNames.Unavailable => partnerDown ? HaStateNames.PartnerDown : null,

                // Ready once the partner's leases are fetched (HaService runs the synchronisation first).
                _ => HaStateNames.Ready,
            },
            HaStateNames.Ready => partner switch
            {
                HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.CommunicationRecovery => normal,
                HaStateNames.InMaintenance => HaStateNames.PartnerInMaintenance,
                HaStateNames.PartnerInMaintenance => HaStateNames.InMaintenance,
                HaStateNames.Ready => primary ? normal : null,
                HaStateNames.Terminated => HaStateNames.Terminated,
                HaStateNames.Unavailable => partnerDown ? HaStateNames.PartnerDown : null,
                _ => null,
            },
            HaStateNames.HotStandby or HaStateNames.LoadBalancing => partner switch
            {
                HaStateNames.InMaintenance => HaStateNames.PartnerInMaintenance,
                HaStateNames.PartnerDown => HaStateNames.Waiting,
                HaStateNames.PartnerInMaintenance => HaStateNames.InMaintenance,
                HaStateNames.Terminated => HaStateNames.Terminated,

                // Load-balancing with delayed-updates-limit keeps serving its own scope and queues the updates.
                HaStateNames.Unavailable => partnerDown ? HaStateNames.PartnerDown : AllowsCommunicationRecovery(config) ? HaStateNames.CommunicationRecovery : null,

                // A partner in the other mode's normal state is misconfigured: start over.
                _ when IsInvalidForMode(config, partner) => HaStateNames.Waiting,
                _ => null,
            },
            HaStateNames.CommunicationRecovery => partner switch
            {
                _ when IsInvalidForMode(config, partner) => HaStateNames.Waiting,
                HaStateNames.InMaintenance => HaStateNames.PartnerInMaintenance,
                HaStateNames.PartnerDown => HaStateNames.Waiting,
                HaStateNames.PartnerInMaintenance => HaStateNames.InMaintenance,
                HaStateNames.Terminated => HaStateNames.Terminated,
                HaStateNames.Unavailable => partnerDown ? HaStateNames.PartnerDown : null,

                // The partner is starting over (synchronising): with updates lost this server must too; else wait for it.
                HaStateNames.Waiting or HaStateNames.Syncing or HaStateNames.Ready => !communicationInterrupted && backlogOverflowed ? HaStateNames.Waiting : null,
                _ when communicationInterrupted => null,

                // Back in touch with a partner serving normally: normal once the backlog is delivered (HaService sends it).
                _ when partner == normal || partner == HaStateNames.CommunicationRecovery => normal,
                _ => HaStateNames.Waiting,
            },
            HaStateNames.PartnerDown => partner switch
            {
                HaStateNames.CommunicationRecovery or HaStateNames.PartnerDown or HaStateNames.PartnerInMaintenance => HaStateNames.Waiting,
                HaStateNames.Ready => partnerHasUnsentUpdates ? HaStateNames.Waiting : normal,
                HaStateNames.Terminated => HaStateNames.Terminated,
                _ => null,
            },
            HaStateNames.PartnerInMaintenance => partner == HaStateNames.Unavailable ? HaStateNames.PartnerDown : null,
            _ => null,
        };
    }
}
