using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// One HA relationship at work (Kea's <c>HAService</c>): the state machine driven by heartbeats to the partner,
/// the scopes each state serves (the pipeline's <see cref="IQueryFilter"/>, through <see cref="HaServices"/>), the DHCP service switched off in
/// the states that must not answer, and every lease change a client caused sent to the partner (and backups) with
/// <c>lease6-bulk-apply</c>, the client's reply held until the partner acknowledges it
/// (the pipeline's <see cref="ICommittedLeasesGate"/> through <see cref="HaServices"/>, Kea's parked <c>leases6_committed</c>).
/// </summary>
internal sealed class HaService : IAsyncDisposable
{
    /// <summary>Kea's logger for its HA library.</summary>
    public const string LoggerName = "kea-dhcp6.ha-hooks";

    /// <summary>
    /// The origin under which the state machine of the first (or only) relationship disables the DHCP service (Kea
    /// 2.5.8+ numbers local HA origins 1000 + relationship index; 2.2 shared one flag with the partner's commands).
    /// </summary>
    public const string LocalOrigin = "1000";

    /// <summary>Kea's per-request timeout for peer commands.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a heartbeat, lease update, backlog, <c>ha-reset</c> or maintenance notice may take (Kea: 10 s, not
    /// configurable); it is also the longest a reply waits for its lease update. Tests shorten it.
    /// </summary>
    internal TimeSpan PeerRequestTimeout { get; set; } = RequestTimeout;

    private readonly HaRelationshipConfig _config;
    private readonly HaQueryFilter _filter;
    private readonly HaCommunicationState _communication;
    private readonly IHaPeerChannel _channel;
    private readonly NetworkState _network;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _machine = new(1, 1);
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly HaSynchronizer? _synchronizer;
    private readonly Channel<(HaPeerConfig Backup, JsonObject Command)> _backupUpdates = Channel.CreateUnbounded<(HaPeerConfig, JsonObject)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HaLeaseBacklog _backlog;
    private readonly HaRejectedClients _rejected;
    private readonly HashSet<string> _pausedOnce = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _localOrigin;
    private volatile string _state = HaStateNames.Waiting;
    private volatile string _previousState = HaStateNames.Waiting;
    private int _parked;
    private volatile bool _paused;

    // Kea's isMaintenanceCanceled: the evaluation right after a maintenance cancel changes nothing, so a heartbeat
    // answer from before the partner's own cancel does not send this server straight back into maintenance.
    private volatile bool _maintenanceCanceled;
    // Kea's sync_complete_notified_: the partner finished synchronising while this server was in partner-down, which
    // keeps the service off until the next heartbeat says whether the partner is back (see SyncCompleteNotified).
    private volatile bool _syncCompleteNotified;
    private long _unsentUpdates;
    private Task? _machineLoop;
    private Task? _updateLoop;

    /// <param name="leases">Where leases synchronised from the partner are written; null: synchronisation fails (no lease store).</param>
    /// <param name="relationshipIndex">The relationship's place in <c>high-availability</c> (hub and spoke): its own origin for disabling the DHCP service.</param>
    /// <param name="syncedSubnets">The subnets mapped to this relationship, whose leases alone are synchronised; null or empty: all.</param>
    public HaService(HaRelationshipConfig config, IHaPeerChannel channel, NetworkState network, TimeProvider time, ILogger log, IHaLeaseSink? leases = null, int relationshipIndex = 0, IReadOnlySet<uint>? syncedSubnets = null)
    {
        _config = config;
        _localOrigin = OriginOf(relationshipIndex);
        _channel = channel;
        _network = network;
        _time = time;
        _log = log;
        _filter = new HaQueryFilter(config);
        _communication = new HaCommunicationState(config, time);
        _synchronizer = leases is null ? null : new HaSynchronizer(config, channel, leases, log, syncedSubnets, PartnerOriginId(relationshipIndex));
        _backlog = new HaLeaseBacklog(config.DelayedUpdatesLimit);

        // Kea 2.2 has no such limit; 2.3.1+ defaults to 10. Only a 2.3.1+ partner reports conflicts at all.
        _rejected = new HaRejectedClients(config.MaxRejectedLeaseUpdates ?? DefaultMaxRejectedLeaseUpdates, time);
    }

    /// <summary>The origin under which relationship <paramref name="relationshipIndex"/> disables the DHCP service.</summary>
    public static string OriginOf(int relationshipIndex) => (1000 + relationshipIndex).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The <c>origin-id</c> relationship <paramref name="relationshipIndex"/> names when it disables its partner's
    /// service (Kea 2.5.8+: 2000 + the relationship's index), so a hub's partners release only their own hold.
    /// </summary>
    public static int PartnerOriginId(int relationshipIndex) => FirstPartnerOriginId + relationshipIndex;

    /// <summary>Kea 2.5.8+'s first remote origin; what a receiver takes Kea 2.2's <c>"origin": "ha-partner"</c> for.</summary>
    public const int FirstPartnerOriginId = 2000;

    /// <summary>This relationship's origin in <c>dhcp-state</c> (<see cref="LocalOrigin"/> for the first).</summary>
    public string Origin => _localOrigin;

    /// <summary>Kea 2.3.1+'s default <c>max-rejected-lease-updates</c>, used when the key is absent.</summary>
    public const int DefaultMaxRejectedLeaseUpdates = 10;

    public HaRelationshipConfig Config => _config;

    /// <summary>This server's state (Kea's name).</summary>
    public string State => _state;

    /// <summary>True while the state machine waits for <c>ha-continue</c>.</summary>
    public bool Paused => _paused;

    public HaQueryFilter Filter => _filter;

    public HaCommunicationState Communication => _communication;

    /// <summary>Lease changes not sent to the partner because of this server's state (Kea's <c>unsent-update-count</c>).</summary>
    public long UnsentUpdateCount => Interlocked.Read(ref _unsentUpdates);

    /// <summary>Replies waiting for their lease updates to be acknowledged.</summary>
    public int ParkedCount => Volatile.Read(ref _parked);

    /// <summary>Lease updates queued for the partner in <c>communication-recovery</c>.</summary>
    public HaLeaseBacklog Backlog => _backlog;

    /// <summary>Clients whose updates the partner rejected as conflicts.</summary>
    public HaRejectedClients RejectedClients => _rejected;

    /// <summary>Enters <c>waiting</c> and starts the heartbeats and the lease update sender.</summary>
    public void Start()
    {
        _log.LogInformation(new EventId(0, "HA_SERVICE_STARTED"), "{Server}: started high availability service in {Mode} mode as {Role} server", _config.ThisServerName, ModeName(_config.Mode), RoleName(_config.ThisServer.Role));
        LogUnusualConfiguration();
        Enter(HaStateNames.Waiting);
        var token = _stop.Token;
        _machineLoop = Task.Run(() => RunMachineAsync(token), CancellationToken.None);
        _updateLoop = Task.Run(() => RunBackupUpdatesAsync(token), CancellationToken.None);
    }

    /// <summary>Enters the start state without running anything (tests drive <see cref="StepAsync"/> themselves).</summary>
    internal void StartManually()
    {
        LogUnusualConfiguration();
        Enter(HaStateNames.Waiting);
    }

    private async Task RunMachineAsync(CancellationToken token)
    {
        var interval = _config.HeartbeatDelay > TimeSpan.Zero ? _config.HeartbeatDelay : TimeSpan.FromSeconds(1);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await StepAsync(token).ConfigureAwait(false);
                await Task.Delay(interval, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The machine must keep running: a bug costs one step, not failover.
                _log.LogError(new EventId(0, "HA_STATE_MACHINE_FAILED"), ex, "{Server}: state machine step failed: {Reason}", _config.ThisServerName, ex.Message);
                await Task.Delay(interval, _time, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One heartbeat (when this state sends them) and the transitions it leads to.</summary>
    public async Task StepAsync(CancellationToken cancellationToken = default)
    {
        if (SendsHeartbeats)
        {
            // Whatever the heartbeat brings, the notice is used up by it (Kea).
            var notified = _syncCompleteNotified;
            _syncCompleteNotified = false;
            if (!await HeartbeatAsync(cancellationToken).ConfigureAwait(false) && notified)
            {
                // The partner said it is synchronised but cannot be reached now: keep serving its clients.
                await ResumeInPartnerDownAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EvaluateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _machine.Release();
        }
    }

    private bool SendsHeartbeats => _config.Partner is not null && _config.HeartbeatDelay > TimeSpan.Zero
        && _state is not (HaStateNames.Terminated or HaStateNames.Backup or HaStateNames.PassiveBackup);

    /// <summary>
    /// <c>ha-sync-complete-notify</c> from the partner (its hold on this server's service is released by the caller).
    /// In <c>partner-down</c> Kea (2.2 and 3.x) does not let the service go on at once: new leases would not reach
    /// the partner (no updates are sent in partner-down), so the service stays off under this relationship's origin
    /// until the next heartbeat; the partner answering moves the state machine on (to the normal state once it is
    /// <c>ready</c>), and a heartbeat that fails turns the service back on.
    /// </summary>
    public void SyncCompleteNotified()
    {
        if (_state != HaStateNames.PartnerDown || !SendsHeartbeats)
        {
            return;
        }

        _syncCompleteNotified = true;
        SetService(false, _state);
    }

    private async Task ResumeInPartnerDownAsync(CancellationToken cancellationToken)
    {
        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state == HaStateNames.PartnerDown)
            {
                SetService(true, _state);
            }
        }
        finally
        {
            _machine.Release();
        }
    }

    /// <summary>One heartbeat; true when the partner answered it properly.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var partner = _config.Partner!;
        var command = HaPeerCommand.Naming(_config.ThisServerName, "ha-heartbeat", null);
        JsonObject answer;
        try
        {
            answer = await _channel.SendAsync(partner, command, PeerRequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (HaPeerException ex)
        {
            HeartbeatFailed(partner, "HA_HEARTBEAT_COMMUNICATIONS_FAILED", ex.Message);
            return false;
        }

        try
        {
            // Kea's verifyAsyncResponse takes result 3 (empty) as success too.
            var result = ControlAnswer.ResultOf(answer);
            if (result is not (ControlResult.Success or ControlResult.Empty))
            {
                throw new FormatException($"{answer["text"]} (error code {result})");
            }

            var (state, time, scopes, unsent) = ParseHeartbeat(answer);
            _communication.Poke(state, time, scopes, unsent);
        }
        catch (FormatException ex)
        {
            HeartbeatFailed(partner, "HA_HEARTBEAT_FAILED", ex.Message);
            return false;
        }

        var skew = _communication.ClockSkew.Duration();
        if (skew > TimeSpan.FromSeconds(30) && skew <= HaTransitions.MaxClockSkew)
        {
            _log.LogWarning(new EventId(0, "HA_HIGH_CLOCK_SKEW"), "{Server}: the clock of {Partner} is {Skew} s off; above 60 s the servers stop working together", _config.ThisServerName, partner.Name, (long)skew.TotalSeconds);
        }

        return true;
    }

    /// <summary>
    /// Kea's two heartbeat failures, unreachable (<c>HA_HEARTBEAT_COMMUNICATIONS_FAILED</c>) and an answer it cannot
    /// use (<c>HA_HEARTBEAT_FAILED</c>), have the same effect: the partner is <c>unavailable</c>.
    /// </summary>
    private void HeartbeatFailed(HaPeerConfig partner, string id, string reason)
    {
        _communication.MarkUnavailable();
        _log.LogWarning(new EventId(0, id), "{Server}: failed to send heartbeat to {Partner} ({Url}): {Reason}", _config.ThisServerName, partner.Name, partner.Url, reason);
        if (_communication.IsInterrupted)
        {
            _log.LogWarning(new EventId(0, "HA_COMMUNICATION_INTERRUPTED"), "{Server}: communication with {Partner} is interrupted", _config.ThisServerName, partner.Name);
        }
    }

    /// <summary>Reads a heartbeat answer as Kea does: a known state, an RFC 1123 date, optional scopes (null: missing or malformed) and count.</summary>
    /// <exception cref="FormatException">The state or date is missing or malformed, or the count is not an integer.</exception>
    internal static (string State, DateTimeOffset Time, IReadOnlyList<string>? Scopes, long? Unsent) ParseHeartbeat(JsonObject answer)
    {
        if (answer["arguments"] is not JsonObject args)
        {
            throw new FormatException("the heartbeat answer has no arguments");
        }

        if (args["state"] is not JsonValue stateValue || !stateValue.TryGetValue<string>(out var state) || !HaStateNames.All.Contains(state))
        {
            throw new FormatException("the heartbeat answer has no valid 'state'");
        }

        if (args["date-time"] is not JsonValue dateValue || !dateValue.TryGetValue<string>(out var dateText)
            || !DateTimeOffset.TryParseExact(dateText, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new FormatException("the heartbeat answer has no RFC 1123 'date-time'");
        }

        // Kea 2.2 does not fail a heartbeat over its scopes (older partners send none): missing or malformed, the
        // partner's last known scopes stay.
        List<string>? scopes = args["scopes"] is JsonArray ? [] : null;
        foreach (var item in args["scopes"] as JsonArray ?? [])
        {
            if (item is not JsonValue v || !v.TryGetValue<string>(out var scope))
            {
                scopes = null;
                break;
            }

            if (scope.Length > 0)
            {
                scopes!.Add(scope);
            }
        }

        long? unsent = null;
        if (args["unsent-update-count"] is { } countNode)
        {
            if (countNode is not JsonValue countValue || !countValue.TryGetValue<long>(out var count))
            {
                throw new FormatException("the heartbeat answer's 'unsent-update-count' must be an integer");
            }

            unsent = count;
        }

        return (state, time, scopes, unsent);
    }

    // Under _machine.
    private async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        // One transition per heartbeat, as Kea; entering syncing runs the synchronisation in the same step (Kea runs
        // the new state's handler at once, and its blocking sync holds the heartbeats meanwhile).
        if (_maintenanceCanceled)
        {
            _maintenanceCanceled = false;
            return;
        }

        for (var i = 0; i < 2 && !_paused && (i == 0 || _state == HaStateNames.Syncing); i++)
        {
            if (_state is not (HaStateNames.Terminated or HaStateNames.Backup or HaStateNames.PassiveBackup or HaStateNames.InMaintenance)
                && _rejected.ShouldTerminate)
            {
                _log.LogError(new EventId(0, "HA_LEASE_UPDATE_REJECTS_CAUSED_TERMINATION"), "{Server}: too many rejected lease updates cause the HA service to terminate", _config.ThisServerName);
                Enter(HaStateNames.Terminated);
                return;
            }

            var partnerState = _communication.PartnerState;
            var next = HaTransitions.Next(_config, _state, partnerState, ShouldPartnerDown(), _communication.PartnerHasUnsentUpdates, _communication.ClockSkew, _communication.IsInterrupted, _backlog.Overflowed);
            if (_state == HaStateNames.Waiting && partnerState == HaStateNames.Terminated)
            {
                // Kea logs this at every heartbeat while it waits: the partner leaves terminated only by a restart.
                _log.LogInformation(new EventId(0, "HA_TERMINATED_RESTART_PARTNER"), "{Server}: waiting for the partner in the terminated state to be restarted", _config.ThisServerName);
            }

            if (next is null || next == _state)
            {
                return;
            }

            if (next == HaStateNames.Waiting && partnerState is not null && HaTransitions.IsInvalidForMode(_config, partnerState))
            {
                _log.LogWarning(new EventId(0, "HA_INVALID_PARTNER_STATE_" + partnerState.Replace('-', '_').ToUpperInvariant()), "{Server}: partner is in the {State} state unexpectedly: both servers must run in the same HA mode", _config.ThisServerName, partnerState);
            }

            // Communication is back: the partner gets the backlog before this server serves normally; an overflowed
            // backlog, or one that cannot be delivered, makes the partner synchronise (ha-reset) and this server start over.
            if (_state == HaStateNames.CommunicationRecovery && next == HaTransitions.NormalState(_config.Mode)
                && (_backlog.Overflowed || !await SendBacklogAsync(cancellationToken).ConfigureAwait(false)))
            {
                if (await SendResetAsync(cancellationToken).ConfigureAwait(false))
                {
                    Enter(HaStateNames.Waiting);
                }

                return;
            }

            // Syncing leaves for ready only once the partner's leases are here; a failed sync stays in syncing and is
            // tried again after the next successful heartbeat.
            if (_state == HaStateNames.Syncing && next == HaStateNames.Ready && _config.SyncLeases
                && await SynchronizeAsync(_config.Partner!, _synchronizer?.StateMachineMaxPeriod, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            if (next == HaStateNames.Terminated && _communication.ClockSkew.Duration() > HaTransitions.MaxClockSkew)
            {
                _log.LogError(new EventId(0, "HA_HIGH_CLOCK_SKEW_CAUSES_TERMINATION"), "{Server}: the partner's clock is {Skew} s off: the servers stop working together", _config.ThisServerName, (long)_communication.ClockSkew.Duration().TotalSeconds);
            }

            Enter(next);
        }
    }

    /// <summary>
    /// Kea's partner-down test: communication interrupted and — where this server sees the partner's clients
    /// (service on, and load-balancing or this is the standby) — more unanswered clients than max-unacked-clients.
    /// </summary>
    private bool ShouldPartnerDown()
    {
        if (!_communication.IsInterrupted)
        {
            return false;
        }

        if (_network.Enabled && (_config.Mode == HaMode.LoadBalancing || _config.ThisServer.Role == HaRole.Standby))
        {
            return _communication.FailureDetected;
        }

        return true;
    }

    /// <summary>Kea's warnings, when the configuration is loaded, about settings that leave leases unreplicated or scopes unclaimed.</summary>
    private void LogUnusualConfiguration()
    {
        if (!_config.SendLeaseUpdates)
        {
            _log.LogWarning(new EventId(0, "HA_CONFIG_LEASE_UPDATES_DISABLED"), "{Server}: lease updates will not be generated", _config.ThisServerName);
        }

        if (!_config.SyncLeases)
        {
            _log.LogWarning(new EventId(0, "HA_CONFIG_LEASE_SYNCING_DISABLED"), "{Server}: lease database synchronization between HA servers is disabled", _config.ThisServerName);
        }

        if (_config.SendLeaseUpdates != _config.SyncLeases)
        {
            _log.LogWarning(new EventId(0, "HA_CONFIG_LEASE_UPDATES_AND_SYNCING_DIFFER"), "{Server}: unusual configuration where \"send-lease-updates\": {SendLeaseUpdates} and \"sync-leases\": {SyncLeases}",
                _config.ThisServerName, _config.SendLeaseUpdates ? "true" : "false", _config.SyncLeases ? "true" : "false");
        }

        if (!_config.ThisServer.AutoFailover)
        {
            _log.LogWarning(new EventId(0, "HA_CONFIG_AUTO_FAILOVER_DISABLED"), "auto-failover disabled for {Server}", _config.ThisServerName);
        }
    }

    /// <summary>
    /// Kea's log lines of a transition: passive-backup knows no partner state; waiting straight to ready means no
    /// synchronisation; and (but on a backup) whether lease updates go out in the new state.
    /// </summary>
    private void LogTransition(string previous, string next)
    {
        if (_config.Mode == HaMode.PassiveBackup)
        {
            _log.LogInformation(new EventId(0, "HA_STATE_TRANSITION_PASSIVE_BACKUP"), "{Server}: server transitions from {Previous} to {Next} state", _config.ThisServerName, previous, next);
        }
        else
        {
            _log.LogInformation(new EventId(0, "HA_STATE_TRANSITION"), "{Server}: state transition from {Previous} to {Next} state, partner state is {Partner}", _config.ThisServerName, previous, next, _communication.PartnerState ?? HaStateNames.Unavailable);
        }

        if (previous == HaStateNames.Waiting && next == HaStateNames.Ready)
        {
            _log.LogInformation(new EventId(0, "HA_CONFIG_LEASE_SYNCING_DISABLED_REMINDER"), "{Server}: bypassing SYNCING state because lease database synchronization is administratively disabled", _config.ThisServerName);
        }

        if (_config.Mode == HaMode.PassiveBackup || _config.ThisServer.Role == HaRole.Backup || _config.Partner is null)
        {
            return;
        }

        if (_config.SendLeaseUpdates && next is HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.PartnerInMaintenance)
        {
            _log.LogInformation(new EventId(0, "HA_LEASE_UPDATES_ENABLED"), "{Server}: lease updates will be sent to the partner while in {State} state", _config.ThisServerName, next);
        }
        else if (!_config.SendLeaseUpdates)
        {
            _log.LogInformation(new EventId(0, "HA_CONFIG_LEASE_UPDATES_DISABLED_REMINDER"), "{Server}: lease updates are administratively disabled and will not be generated while in {State} state", _config.ThisServerName, next);
        }
        else
        {
            _log.LogInformation(new EventId(0, "HA_LEASE_UPDATES_DISABLED"), "{Server}: lease updates will not be sent to the partner while in {State} state", _config.ThisServerName, next);
        }
    }

    // Under _machine (or before the loops start). maintenance: partner-down entered by ha-maintenance-start.
    private void Enter(string next, bool maintenance = false)
    {
        var previous = _state;
        if (previous != next)
        {
            _previousState = previous;
            LogTransition(previous, next);
        }

        if (previous == HaStateNames.CommunicationRecovery && next != previous)
        {
            _backlog.Clear();
        }

        // Kea forgets rejected clients on entering these states.
        if (next is HaStateNames.PartnerDown or HaStateNames.Ready or HaStateNames.Syncing or HaStateNames.Waiting or HaStateNames.Terminated)
        {
            _rejected.Clear();
        }

        switch (next)
        {
            case HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.CommunicationRecovery or HaStateNames.PassiveBackup or HaStateNames.Terminated:
                _filter.ServeDefaultScopes();
                SetService(true, next);
                break;
            case HaStateNames.PartnerDown or HaStateNames.PartnerInMaintenance:
                _filter.ServeFailoverScopes(maintenance || next == HaStateNames.PartnerInMaintenance);
                SetService(true, next);
                break;
            default:
                _filter.ServeNoScopes();
                SetService(false, next);
                break;
        }

        // Published after the scopes and the service, so whoever sees the new state (status-get) sees them too.
        _state = next;

        if (previous != next)
        {
            switch (next)
            {
                case HaStateNames.InMaintenance:
                    _log.LogInformation(new EventId(0, "HA_MAINTENANCE_SHUTDOWN_SAFE"), "{Server}: the server can now be shut down for maintenance as the partner has taken over the DHCP traffic", _config.ThisServerName);
                    break;
                case HaStateNames.PartnerInMaintenance:
                    _log.LogInformation(new EventId(0, "HA_MAINTENANCE_STARTED"), "{Server}: the server is now in the partner-in-maintenance state and the partner is in-maintenance", _config.ThisServerName);
                    break;
                case HaStateNames.PartnerDown when maintenance:
                    _log.LogInformation(new EventId(0, "HA_MAINTENANCE_STARTED_IN_PARTNER_DOWN"), "{Server}: the server is now in the partner-down state as its partner appears to be offline for maintenance", _config.ThisServerName);
                    break;
            }
        }

        if (next == HaStateNames.Terminated)
        {
            _log.LogError(new EventId(0, "HA_TERMINATED"), "{Server}: HA service terminated: the servers no longer work together; fix the cause and restart both", _config.ThisServerName);
        }

        var pausing = _config.StatePausing.GetValueOrDefault(next, HaPausing.Never);
        if (pausing == HaPausing.Always || (pausing == HaPausing.Once && _pausedOnce.Add(next)))
        {
            _paused = true;
            _log.LogInformation(new EventId(0, "HA_STATE_MACHINE_PAUSED"), "{Server}: state machine paused in state {State}", _config.ThisServerName, next);
        }
    }

    private void SetService(bool enabled, string state)
    {
        // A stopped service leaves the DHCP service to its successor.
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        if (enabled == !_network.DisabledBy.Contains(_localOrigin))
        {
            return;
        }

        if (enabled)
        {
            _network.Enable(_localOrigin);
            _log.LogInformation(new EventId(0, "HA_LOCAL_DHCP_ENABLE"), "{Server}: local DHCP service is enabled while in {State} state", _config.ThisServerName, state);
        }
        else
        {
            _network.Disable(_localOrigin, null);
            _log.LogInformation(new EventId(0, "HA_LOCAL_DHCP_DISABLE"), "{Server}: local DHCP service is disabled while in {State} state", _config.ThisServerName, state);
        }
    }

    /// <summary>
    /// Whether this server answers the query (<see cref="IQueryFilter"/>). A query for the partner's scope, while
    /// the partner cannot be reached, is looked at for the client's elapsed time (failure detection).
    /// </summary>
    public bool Accept(Dhcp6Packet query)
    {
        var decision = _filter.Decide(query);
        if (decision == HaScopeDecision.NoClientIdentifier)
        {
            _log.LogDebug(new EventId(0, "HA_LOAD_BALANCING_DUID_MISSING"), "load balancing failed for the DHCPv6 message (transaction id: {TransactionId}) because DUID is missing", query.Message.TransactionId);
            return false;
        }

        if (decision == HaScopeDecision.OtherScope && HaQueryFilter.IsHaType(query.Type) && _communication.IsInterrupted)
        {
            _communication.Analyze(query, _log, _config.ThisServerName);
        }

        return decision == HaScopeDecision.Served;
    }

    /// <summary>
    /// The leases a client's query committed (<see cref="ICommittedLeasesGate"/>, Kea's <c>leases6_committed</c>):
    /// one <c>lease6-bulk-apply</c> to the partner while this state sends updates (queued in
    /// <c>communication-recovery</c>, else counted in <c>unsent-update-count</c>) and to each backup. The reply waits
    /// for the partner's acknowledgement (and the backups' with <c>wait-backup-ack</c>) and is dropped when any of
    /// them fails, so the client retransmits; the lease stays committed here.
    /// </summary>
    public ValueTask<CommittedLeasesOutcome> LeasesCommittedAsync(Dhcp6Packet query, IReadOnlyList<LeaseChange> changes, uint parkedPacketLimit)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(changes);
        if (!_config.SendLeaseUpdates || _config.ThisServer.Role == HaRole.Backup || changes.Count == 0)
        {
            return ValueTask.FromResult(CommittedLeasesOutcome.Send);
        }

        // What the query's processing committed for the client; not reclamation it triggered on the way.
        var sent = changes.Where(c => c.Reason is not (LeaseChangeReason.Command or LeaseChangeReason.Reclaimed or LeaseChangeReason.Recovered or LeaseChangeReason.Flushed)).ToList();
        var (leases, deleted) = CommittedLeases.Of(sent);
        if (HaLeaseUpdates.BulkApply(leases, deleted) is not { } command)
        {
            _log.LogDebug(new EventId(0, "HA_LEASES6_COMMITTED_NOTHING_TO_UPDATE"), "{Label}: leases6_committed callout was invoked without any leases", query.Label);
            return ValueTask.FromResult(CommittedLeasesOutcome.Send);
        }

        var state = _state;
        var partner = _config.Partner;
        var toPartner = partner is not null && state is HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.PartnerInMaintenance;
        var waitsForBackups = _config.WaitBackupAck && _config.Backups.Any();

        // Kea parks the packet before its callouts run: with the parking lot full nothing is sent, queued or counted.
        if ((toPartner || waitsForBackups) && parkedPacketLimit > 0 && Volatile.Read(ref _parked) >= parkedPacketLimit)
        {
            return ValueTask.FromResult(CommittedLeasesOutcome.ParkingLotFull);
        }

        var acks = new List<Task<HaUpdateOutcome>>(2);
        var client = query.Message.Options.Get<DuidOption>(OptionCode.ClientId) is { } clientId ? Convert.ToHexString(clientId.Duid.Bytes) : null;
        if (partner is not null)
        {
            if (state == HaStateNames.CommunicationRecovery)
            {
                // Past delayed-updates-limit the backlog is marked overflowed: the partner synchronises instead (Kea logs nothing here).
                _backlog.Push(leases, deleted);
            }
            else if (toPartner)
            {
                acks.Add(SendUpdateAsync(partner, command, query.Label, client, _stop.Token));
            }
            else
            {
                Interlocked.Increment(ref _unsentUpdates);
            }
        }

        foreach (var backup in _config.Backups)
        {
            if (_config.WaitBackupAck)
            {
                acks.Add(SendUpdateAsync(backup, command, query.Label, client, _stop.Token));
            }
            else
            {
                _backupUpdates.Writer.TryWrite((backup, command));
            }
        }

        return acks.Count == 0 ? ValueTask.FromResult(CommittedLeasesOutcome.Send) : WaitForAcksAsync(acks);
    }

    private async ValueTask<CommittedLeasesOutcome> WaitForAcksAsync(List<Task<HaUpdateOutcome>> acks)
    {
        Interlocked.Increment(ref _parked);
        HaUpdateOutcome[] outcomes;
        try
        {
            outcomes = await Task.WhenAll(acks).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _parked);
        }

        if (outcomes.All(o => o == HaUpdateOutcome.Acknowledged))
        {
            return CommittedLeasesOutcome.Send;
        }

        // As Kea after the updates complete: run the state machine, which may leave for communication-recovery,
        // partner-down or (too many rejected clients) terminated.
        await EvaluateNowAsync().ConfigureAwait(false);
        return CommittedLeasesOutcome.Drop;
    }

    private async Task EvaluateNowAsync()
    {
        var token = _stop.Token;
        try
        {
            await _machine.WaitAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            await EvaluateAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogError(new EventId(0, "HA_STATE_MACHINE_FAILED"), ex, "{Server}: state machine step failed: {Reason}", _config.ThisServerName, ex.Message);
        }
        finally
        {
            _machine.Release();
        }
    }

    private async Task RunBackupUpdatesAsync(CancellationToken token)
    {
        var reader = _backupUpdates.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    await SendUpdateAsync(item.Backup, item.Command, "-", null, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Sends one <c>lease6-bulk-apply</c> and reads the answer as Kea does: for the partner a failure marks it
    /// <c>unavailable</c>, a conflict counts the client as rejected (and a success forgets an earlier rejection);
    /// backups are best effort.
    /// </summary>
    internal async Task<HaUpdateOutcome> SendUpdateAsync(HaPeerConfig peer, JsonObject command, string label, string? client, CancellationToken cancellationToken)
    {
        HaUpdateOutcome outcome;
        try
        {
            var answer = await _channel.SendAsync(peer, command, PeerRequestTimeout, cancellationToken).ConfigureAwait(false);
            outcome = HaLeaseUpdates.Classify(answer, out var reason);
            LogFailedOnPeer(answer, label);
            if (outcome == HaUpdateOutcome.Conflict)
            {
                _log.LogWarning(new EventId(0, "HA_LEASE_UPDATE_CONFLICT"), "{Server}: lease update {Label} sent to {Peer} returned conflict status code: {Reason}", _config.ThisServerName, label, peer.Name, reason);
            }
            else if (outcome == HaUpdateOutcome.Failed)
            {
                _log.LogWarning(new EventId(0, "HA_LEASE_UPDATE_FAILED"), "{Server}: lease update {Label} sent to {Peer} failed: {Reason}", _config.ThisServerName, label, peer.Name, reason);
            }
        }
        catch (HaPeerException ex)
        {
            _log.LogWarning(new EventId(0, "HA_LEASE_UPDATE_COMMUNICATIONS_FAILED"), "{Server}: failed to send lease update {Label} to {Peer} ({Url}): {Reason}", _config.ThisServerName, label, peer.Name, peer.Url, ex.Message);
            outcome = HaUpdateOutcome.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the reply is not sent (Kea drops parked packets on shutdown).
            return HaUpdateOutcome.Failed;
        }

        if (peer.Role != HaRole.Backup)
        {
            switch (outcome)
            {
                case HaUpdateOutcome.Failed:
                    _communication.MarkUnavailable();
                    break;
                case HaUpdateOutcome.Conflict when client is not null:
                    _rejected.Rejected(client);
                    break;
                case HaUpdateOutcome.Acknowledged when client is not null:
                    _rejected.Succeeded(client);
                    break;
            }
        }

        return outcome;
    }

    /// <summary>Kea logs each lease a peer's result-3 answer lists as failed.</summary>
    private void LogFailedOnPeer(JsonObject answer, string label)
    {
        if (answer["arguments"] is not JsonObject args)
        {
            return;
        }

        foreach (var (key, id) in new[] { ("failed-deleted-leases", "HA_LEASE_UPDATE_DELETE_FAILED_ON_PEER"), ("failed-leases", "HA_LEASE_UPDATE_CREATE_UPDATE_FAILED_ON_PEER") })
        {
            foreach (var failed in (args[key] as JsonArray ?? []).OfType<JsonObject>())
            {
                _log.LogInformation(new EventId(0, id), "{Label}: the peer could not apply the lease update for {Type} {Address}: {Reason}", label, failed["type"]?.ToString() ?? "(unknown)", failed["ip-address"]?.ToString() ?? "(unknown)", failed["error-message"]?.ToString() ?? "(unknown)");
            }
        }
    }

    /// <summary>
    /// The backlog of <c>communication-recovery</c> to the partner, as one <c>lease6-bulk-apply</c> (Kea 2.2 for v6);
    /// false when it could not be delivered.
    /// </summary>
    private async Task<bool> SendBacklogAsync(CancellationToken cancellationToken)
    {
        var partner = _config.Partner!;
        var (leases, deleted) = _backlog.TakeAll();
        if (HaLeaseUpdates.BulkApply(leases, deleted) is not { } command)
        {
            _log.LogInformation(new EventId(0, "HA_LEASES_BACKLOG_NOTHING_TO_SEND"), "{Server}: no leases in the backlog to send to {Partner}", _config.ThisServerName, partner.Name);
            return true;
        }

        _log.LogInformation(new EventId(0, "HA_LEASES_BACKLOG_START"), "{Server}: starting to send {Count} outstanding lease updates to {Partner}", _config.ThisServerName, leases.Count + deleted.Count, partner.Name);
        var started = _time.GetTimestamp();
        try
        {
            var answer = await _channel.SendAsync(partner, command, PeerRequestTimeout, cancellationToken).ConfigureAwait(false);
            if (HaLeaseUpdates.Classify(answer, out var reason) != HaUpdateOutcome.Acknowledged)
            {
                _log.LogWarning(new EventId(0, "HA_LEASES_BACKLOG_FAILED"), "{Server}: failed to send lease updates backlog to {Partner}: {Reason}", _config.ThisServerName, partner.Name, reason);
                return false;
            }
        }
        catch (HaPeerException ex)
        {
            _log.LogWarning(new EventId(0, "HA_LEASES_BACKLOG_COMMUNICATIONS_FAILED"), "{Server}: failed to communicate with {Partner} while sending the lease updates backlog: {Reason}", _config.ThisServerName, partner.Name, ex.Message);
            return false;
        }

        _log.LogInformation(new EventId(0, "HA_LEASES_BACKLOG_SUCCESS"), "{Server}: sent the lease updates backlog to {Partner} successfully in {Elapsed} ms", _config.ThisServerName, partner.Name, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    /// <summary>Tells the partner to start over (<c>ha-reset</c>), so it synchronises with this server; false when it did not take it.</summary>
    private async Task<bool> SendResetAsync(CancellationToken cancellationToken)
    {
        var partner = _config.Partner!;
        var command = HaPeerCommand.Naming(_config.ThisServerName, "ha-reset", null);
        try
        {
            var answer = await _channel.SendAsync(partner, command, PeerRequestTimeout, cancellationToken).ConfigureAwait(false);
            if (ControlAnswer.ResultOf(answer) is not (ControlResult.Success or ControlResult.Empty))
            {
                _log.LogWarning(new EventId(0, "HA_RESET_FAILED"), "{Server}: failed to reset the HA state machine of {Partner}: {Reason}", _config.ThisServerName, partner.Name, answer["text"]?.ToString());
                return false;
            }
        }
        catch (HaPeerException ex)
        {
            _log.LogWarning(new EventId(0, "HA_RESET_COMMUNICATIONS_FAILED"), "{Server}: failed to send ha-reset to {Partner}: {Reason}", _config.ThisServerName, partner.Name, ex.Message);
            return false;
        }

        return true;
    }

    /// <summary>The answer to a partner's <c>ha-heartbeat</c>.</summary>
    public JsonObject HeartbeatAnswer() => ControlAnswer.Success("HA peer status returned.", new JsonObject
    {
        ["state"] = _state,
        ["date-time"] = _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture),
        ["scopes"] = new JsonArray([.. _filter.ServedScopes.Select(s => (JsonNode)JsonValue.Create(s))]),
        ["unsent-update-count"] = UnsentUpdateCount,
    });

    /// <summary><c>ha-scopes</c>: serve exactly these scopes until the next transition.</summary>
    /// <exception cref="ArgumentException">A name is not a scope of this relationship.</exception>
    public void ServeScopes(IReadOnlyList<string> scopes) => _filter.ServeScopes(scopes);

    /// <summary><c>ha-continue</c>: true when the machine was paused (and now runs on).</summary>
    public async Task<bool> ContinueAsync(CancellationToken cancellationToken)
    {
        if (!_paused)
        {
            return false;
        }

        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _paused = false;
            _log.LogInformation(new EventId(0, "HA_STATE_MACHINE_CONTINUED"), "{Server}: state machine is continued", _config.ThisServerName);
            await EvaluateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _machine.Release();
        }

        return true;
    }

    /// <summary>
    /// Fetches every lease of <paramref name="peer"/> into the local store (the <c>syncing</c> state, <c>ha-sync</c>);
    /// the error text, or null on success. One synchronisation at a time.
    /// </summary>
    public async Task<string?> SynchronizeAsync(HaPeerConfig peer, TimeSpan? maxPeriod, CancellationToken cancellationToken)
    {
        if (_synchronizer is null)
        {
            return "no lease database to synchronize into";
        }

        await _syncing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var error = await _synchronizer.SynchronizeAsync(peer, maxPeriod, cancellationToken).ConfigureAwait(false);
            if (error is not null && ReferenceEquals(peer, _config.Partner))
            {
                // As Kea: the partner counts as unavailable until its next heartbeat answer.
                _communication.MarkUnavailable();
            }

            return error;
        }
        finally
        {
            _syncing.Release();
        }
    }

    /// <summary><c>ha-reset</c>: back to <c>waiting</c>; false when already there.</summary>
    public async Task<bool> ResetAsync(CancellationToken cancellationToken)
    {
        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state == HaStateNames.Waiting)
            {
                return false;
            }

            Enter(HaStateNames.Waiting);
            return true;
        }
        finally
        {
            _machine.Release();
        }
    }

    /// <summary>Kea's result for an <c>ha-maintenance-notify</c> this server refuses (not a communication failure).</summary>
    public const int MaintenanceNotAllowed = 1001;

    /// <summary>
    /// <c>ha-maintenance-notify</c> from the partner: go to <c>in-maintenance</c> (serve nobody, so this server can be
    /// shut down), or with <paramref name="cancel"/> back to the state before it. Kea's answers; a cancel answers
    /// with the state this server went to and takes <paramref name="partnerState"/> (Kea 3.x sends the state it
    /// returns to; null, from Kea 2.2: <c>unavailable</c> until the next heartbeat) as the partner's, as Kea 3.x does.
    /// </summary>
    public async Task<JsonObject> MaintenanceNotifyAsync(bool cancel, CancellationToken cancellationToken, string? partnerState = null)
    {
        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (cancel)
            {
                if (_state != HaStateNames.InMaintenance)
                {
                    return ControlAnswer.Error("Unable to cancel the maintenance for the server not in the in-maintenance state.");
                }

                _communication.SetPartnerState(partnerState ?? HaStateNames.Unavailable);

                // Going "back" to in-maintenance would keep this server there for good; waiting lets the machine decide.
                Enter(_previousState == HaStateNames.InMaintenance ? HaStateNames.Waiting : _previousState);
                _maintenanceCanceled = true;
                return ControlAnswer.Success("Server maintenance canceled.", new JsonObject { ["state"] = _state });
            }

            if (_state is HaStateNames.Backup or HaStateNames.PartnerInMaintenance or HaStateNames.Terminated)
            {
                return ControlAnswer.Create(MaintenanceNotAllowed, $"Unable to transition the server from the {_state} to in-maintenance state.");
            }

            Enter(HaStateNames.InMaintenance);
            return ControlAnswer.Success("Server is in-maintenance state.");
        }
        finally
        {
            _machine.Release();
        }
    }

    /// <summary>
    /// <c>ha-maintenance-start</c>: asks the partner into <c>in-maintenance</c> and takes over its clients
    /// (<c>partner-in-maintenance</c>); a partner that cannot be reached or answers an error is taken as already
    /// down (<c>partner-down</c>, every scope served). Kea's answers.
    /// </summary>
    public async Task<JsonObject> MaintenanceStartAsync(CancellationToken cancellationToken)
    {
        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state is HaStateNames.Backup or HaStateNames.InMaintenance or HaStateNames.PartnerInMaintenance or HaStateNames.Terminated)
            {
                return ControlAnswer.Error($"Unable to transition the server from the {_state} to partner-in-maintenance state.");
            }

            if (_config.Partner is not { } partner)
            {
                // A passive-backup primary: Kea 2.2's handler throws here (it logs this and sends no answer at all).
                var reason = $"no failover partner server found for this server {_config.ThisServerName}";
                _log.LogError(new EventId(0, "HA_MAINTENANCE_START_HANDLER_FAILED"), "ha-maintenance-start command failed: {Reason}", reason);
                return ControlAnswer.Error(reason);
            }

            var (result, error) = await NotifyMaintenanceAsync(partner, cancel: false, cancellationToken, _state).ConfigureAwait(false);
            if (result is null || result == ControlResult.Error)
            {
                Enter(HaStateNames.PartnerDown, maintenance: true);
                return ControlAnswer.Success("Server is now in the partner-down state as its partner appears to be offline for maintenance.");
            }

            if (result != ControlResult.Success)
            {
                return ControlAnswer.Error($"Unable to transition to the partner-in-maintenance state. The partner server responded with the following message to the ha-maintenance-notify command: {error}.");
            }

            Enter(HaStateNames.PartnerInMaintenance);
            return ControlAnswer.Success("Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.");
        }
        finally
        {
            _machine.Release();
        }
    }

    /// <summary><c>ha-maintenance-cancel</c>: the partner leaves <c>in-maintenance</c>, and this server goes back to the state before <c>partner-in-maintenance</c>.</summary>
    public async Task<JsonObject> MaintenanceCancelAsync(CancellationToken cancellationToken)
    {
        await _machine.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state != HaStateNames.PartnerInMaintenance || _config.Partner is not { } partner)
            {
                return ControlAnswer.Error("Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.");
            }

            // Kea 3.x tells the partner the state this server returns to (never partner-in-maintenance again).
            var next = _previousState == HaStateNames.PartnerInMaintenance ? HaStateNames.Waiting : _previousState;
            var (result, error) = await NotifyMaintenanceAsync(partner, cancel: true, cancellationToken, next).ConfigureAwait(false);
            if (result != ControlResult.Success)
            {
                return ControlAnswer.Error($"Unable to cancel maintenance. The partner server responded with the following message to the ha-maintenance-notify command: {error}.");
            }

            Enter(next);
            _maintenanceCanceled = true;
            return ControlAnswer.Success("Server maintenance successfully canceled.");
        }
        finally
        {
            _machine.Release();
        }
    }

    /// <summary>
    /// Sends <c>ha-maintenance-notify</c> with Kea 3.x's <c>state</c> (<paramref name="state"/>: this server's state
    /// on start, the one it returns to on cancel; Kea 2.2 ignores it); the partner's result (null: not reached) and
    /// the error text. Any failure marks the partner unavailable (Kea). After a cancel the partner's state is the one
    /// its answer reports (Kea 3.x), else <c>unavailable</c> until the next heartbeat (Kea 2.2 reports none).
    /// </summary>
    private async Task<(int? Result, string? Error)> NotifyMaintenanceAsync(HaPeerConfig partner, bool cancel, CancellationToken cancellationToken, string state)
    {
        var command = HaPeerCommand.Naming(_config.ThisServerName, "ha-maintenance-notify", new JsonObject { ["cancel"] = cancel, ["state"] = state });
        var failedId = cancel ? "HA_MAINTENANCE_NOTIFY_CANCEL_FAILED" : "HA_MAINTENANCE_NOTIFY_FAILED";
        try
        {
            var answer = await _channel.SendAsync(partner, command, PeerRequestTimeout, cancellationToken).ConfigureAwait(false);
            var result = ControlAnswer.ResultOf(answer);
            if (result is ControlResult.Success or ControlResult.Empty)
            {
                if (cancel)
                {
                    _communication.MarkUnavailable();
                    if (answer["arguments"] is JsonObject arguments && arguments.TryGetPropertyValue("state", out var reported) && reported is not null)
                    {
                        if (reported is not JsonValue value || !value.TryGetValue<string>(out var partnerState))
                        {
                            const string notString = "server state not returned in response to a ha-maintenance-notify command or it is not a string";
                            _log.LogError(new EventId(0, failedId), "{Server}: ha-maintenance-notify to {Partner} failed: {Reason}", _config.ThisServerName, partner.Name, notString);
                            return (ControlResult.Error, notString);
                        }

                        _communication.SetPartnerState(partnerState);
                    }
                }

                return (ControlResult.Success, null);
            }

            var error = $"{answer["text"]} (error code {result})";
            _log.LogError(new EventId(0, failedId), "{Server}: ha-maintenance-notify to {Partner} failed: {Reason}", _config.ThisServerName, partner.Name, error);
            _communication.MarkUnavailable();
            return (result, error);
        }
        catch (HaPeerException ex)
        {
            _log.LogError(new EventId(0, failedId.Replace("_FAILED", "_COMMUNICATIONS_FAILED", StringComparison.Ordinal)), "{Server}: failed to send ha-maintenance-notify to {Partner}: {Reason}", _config.ThisServerName, partner.Name, ex.Message);
            _communication.MarkUnavailable();
            return (null, ex.Message);
        }
    }

    /// <summary>One element of <c>status-get</c>'s <c>high-availability</c> list (Kea 3.x's shape, a superset of 2.2's).</summary>
    public JsonObject Status()
    {
        // Kea 3.x's server-name, system-time (and the remote's clock-skew) are added always: a 2.2 reader looks keys up by name and skips extra ones.
        var servers = new JsonObject
        {
            ["local"] = new JsonObject
            {
                ["role"] = RoleName(_config.ThisServer.Role),
                ["scopes"] = new JsonArray([.. _filter.ServedScopes.Select(s => (JsonNode)JsonValue.Create(s))]),
                ["server-name"] = _config.ThisServerName,
                ["state"] = _state,

                // Not the clock now: this server's time when the partner's last heartbeat answer came, as in Kea 3.x.
                ["system-time"] = HaCommunicationState.SystemTime(_communication.MyTimeAtSkew),
            },
        };
        if (_config.Partner is { } partner)
        {
            servers["remote"] = _communication.Report(partner);
        }

        return new JsonObject { ["ha-mode"] = ModeName(_config.Mode), ["ha-servers"] = servers };
    }

    public static string ModeName(HaMode mode) => mode switch
    {
        HaMode.LoadBalancing => "load-balancing",
        HaMode.PassiveBackup => "passive-backup",
        _ => "hot-standby",
    };

    public static string RoleName(HaRole role) => role switch
    {
        HaRole.Primary => "primary",
        HaRole.Secondary => "secondary",
        HaRole.Standby => "standby",
        _ => "backup",
    };

    /// <summary>Stops the loops and gives the DHCP service back (the HA origin no longer holds it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _backupUpdates.Writer.TryComplete();
        foreach (var loop in new[] { _machineLoop, _updateLoop })
        {
            if (loop is not null)
            {
                try
                {
                    await loop.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _network.Enable(_localOrigin);
        _stop.Dispose();
        _machine.Dispose();
        _syncing.Dispose();
    }
}
