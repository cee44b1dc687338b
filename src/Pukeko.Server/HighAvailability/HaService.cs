using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;

namespace Pukeko.Server.HighAvailability;

/// <summary>
/// One HA relationship at work (Kea's <c>HAService</c>): the state machine driven by heartbeats to the partner,
/// the scopes each state serves (as the pipeline's <see cref="IQueryFilter"/>), the DHCP service switched off in
/// the states that must not answer, and every lease change a client caused sent to the partner (and backups) with
/// <c>lease6-bulk-apply</c>.
/// </summary>
internal sealed class HaService : IQueryFilter, ILeaseChangeObserver, IAsyncDisposable
{
    /// <summary>Kea's logger for its HA library.</summary>
    public const string LoggerName = "kea-dhcp6.ha-hooks";

    /// <summary>
    /// The origin under which the state machine disables the DHCP service (Kea 2.5.8+ numbers local HA origins
    /// 1000 + relationship index; 2.2 shared one flag with the partner's commands).
    /// </summary>
    public const string LocalOrigin = "1000";

    /// <summary>Kea's per-request timeout for peer commands.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

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
    private readonly Channel<(bool ToPartner, LeaseChange Change)> _updates = Channel.CreateUnbounded<(bool, LeaseChange)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _pausedOnce = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile string _state = HaStateNames.Waiting;
    private volatile bool _paused;
    private long _unsentUpdates;
    private Task? _machineLoop;
    private Task? _updateLoop;

    /// <param name="leases">Where leases synchronised from the partner are written; null: synchronisation fails (no lease store).</param>
    public HaService(HaRelationshipConfig config, IHaPeerChannel channel, NetworkState network, TimeProvider time, ILogger log, IHaLeaseSink? leases = null)
    {
        _config = config;
        _channel = channel;
        _network = network;
        _time = time;
        _log = log;
        _filter = new HaQueryFilter(config);
        _communication = new HaCommunicationState(config, time);
        _synchronizer = leases is null ? null : new HaSynchronizer(config, channel, leases, log);
    }

    public HaRelationshipConfig Config => _config;

    /// <summary>This server's state (Kea's name).</summary>
    public string State => _state;

    /// <summary>True while the state machine waits for <c>ha-continue</c>.</summary>
    public bool Paused => _paused;

    public HaQueryFilter Filter => _filter;

    public HaCommunicationState Communication => _communication;

    /// <summary>Lease changes not sent to the partner because of this server's state (Kea's <c>unsent-update-count</c>).</summary>
    public long UnsentUpdateCount => Interlocked.Read(ref _unsentUpdates);

    /// <summary>Enters <c>waiting</c> and starts the heartbeats and the lease update sender.</summary>
    public void Start()
    {
        _log.LogInformation(new EventId(0, "HA_SERVICE_STARTED"), "{Server}: started high availability service in {Mode} mode as {Role} server", _config.ThisServerName, ModeName(_config.Mode), RoleName(_config.ThisServer.Role));
        Enter(HaStateNames.Waiting);
        var token = _stop.Token;
        _machineLoop = Task.Run(() => RunMachineAsync(token), CancellationToken.None);
        _updateLoop = Task.Run(() => RunUpdatesAsync(token), CancellationToken.None);
    }

    /// <summary>Enters the start state without running anything (tests drive <see cref="StepAsync"/> themselves).</summary>
    internal void StartManually() => Enter(HaStateNames.Waiting);

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
            await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
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

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var partner = _config.Partner!;
        var command = new JsonObject { ["command"] = "ha-heartbeat", ["service"] = new JsonArray("dhcp6") };
        try
        {
            var answer = await _channel.SendAsync(partner, command, RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (ControlAnswer.ResultOf(answer) != ControlResult.Success)
            {
                throw new HaPeerException($"{partner.Name} answered ha-heartbeat with result {ControlAnswer.ResultOf(answer)}: {answer["text"]}");
            }

            var (state, time, scopes, unsent) = ParseHeartbeat(answer);
            _communication.Poke(state, time, scopes, unsent);
            var skew = _communication.ClockSkew.Duration();
            if (skew > TimeSpan.FromSeconds(30) && skew <= HaTransitions.MaxClockSkew)
            {
                _log.LogWarning(new EventId(0, "HA_HIGH_CLOCK_SKEW"), "{Server}: the clock of {Partner} is {Skew} s off; above 60 s the servers stop working together", _config.ThisServerName, partner.Name, (long)skew.TotalSeconds);
            }
        }
        catch (Exception ex) when (ex is HaPeerException or FormatException)
        {
            _communication.MarkUnavailable();
            _log.LogWarning(new EventId(0, "HA_HEARTBEAT_COMMUNICATIONS_FAILED"), "{Server}: failed to send heartbeat to {Partner} ({Url}): {Reason}", _config.ThisServerName, partner.Name, partner.Url, ex.Message);
        }
    }

    /// <summary>Reads a heartbeat answer as Kea does: a known state, an RFC 1123 date, optional scopes and count.</summary>
    /// <exception cref="FormatException">Any of them is missing or malformed.</exception>
    internal static (string State, DateTimeOffset Time, IReadOnlyList<string> Scopes, long? Unsent) ParseHeartbeat(JsonObject answer)
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

        var scopes = new List<string>();
        if (args["scopes"] is JsonArray list)
        {
            foreach (var item in list)
            {
                if (item is not JsonValue v || !v.TryGetValue<string>(out var scope))
                {
                    throw new FormatException("the heartbeat answer's 'scopes' must be strings");
                }

                scopes.Add(scope);
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
        for (var i = 0; i < 2 && !_paused && (i == 0 || _state == HaStateNames.Syncing); i++)
        {
            var next = HaTransitions.Next(_config, _state, _communication.PartnerState, ShouldPartnerDown(), _communication.PartnerHasUnsentUpdates, _communication.ClockSkew);
            if (next is null || next == _state)
            {
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

    // Under _machine (or before the loops start).
    private void Enter(string next)
    {
        var previous = _state;
        _state = next;
        if (previous != next)
        {
            _log.LogInformation(new EventId(0, "HA_STATE_TRANSITION"), "{Server}: state transition from {Previous} to {Next} state, partner state is {Partner}", _config.ThisServerName, previous, next, _communication.PartnerState ?? HaStateNames.Unavailable);
        }

        switch (next)
        {
            case HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.PassiveBackup or HaStateNames.Terminated:
                _filter.ServeDefaultScopes();
                SetService(true);
                break;
            case HaStateNames.PartnerDown or HaStateNames.PartnerInMaintenance:
                _filter.ServeFailoverScopes();
                SetService(true);
                break;
            default:
                _filter.ServeNoScopes();
                SetService(false);
                break;
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

    private void SetService(bool enabled)
    {
        // A stopped service leaves the DHCP service to its successor.
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        if (enabled == !_network.DisabledBy.Contains(LocalOrigin))
        {
            return;
        }

        if (enabled)
        {
            _network.Enable(LocalOrigin);
            _log.LogInformation(new EventId(0, "HA_LOCAL_DHCP_ENABLE"), "{Server}: local DHCP service is enabled while in {State} state", _config.ThisServerName, _state);
        }
        else
        {
            _network.Disable(LocalOrigin, null);
            _log.LogInformation(new EventId(0, "HA_LOCAL_DHCP_DISABLE"), "{Server}: local DHCP service is disabled while in {State} state", _config.ThisServerName, _state);
        }
    }

    /// <summary>
    /// Whether this server answers the query (<see cref="IQueryFilter"/>). A query for the partner's scope, while
    /// the partner cannot be reached, is looked at for the client's elapsed time (failure detection).
    /// </summary>
    public bool Accept(Dhcp6Packet query)
    {
        var inScope = _filter.InScope(query);
        if (!inScope && HaQueryFilter.IsHaType(query.Type) && _communication.IsInterrupted)
        {
            _communication.Analyze(query);
        }

        return inScope;
    }

    /// <summary>
    /// A committed lease change. Those a client caused go to the partner while this state sends updates, and to
    /// backups always; lease commands (the partner's own updates among them) and reclamation are not sent, as Kea
    /// sends only what its packet processing committed.
    /// </summary>
    public void OnLeaseChanged(in LeaseChange change)
    {
        if (!_config.SendLeaseUpdates || change.Reason is LeaseChangeReason.Command or LeaseChangeReason.Reclaimed or LeaseChangeReason.Recovered or LeaseChangeReason.Flushed)
        {
            return;
        }

        var toPartner = false;
        if (_config.Partner is not null)
        {
            if (_state is HaStateNames.HotStandby or HaStateNames.LoadBalancing or HaStateNames.PartnerInMaintenance)
            {
                toPartner = true;
            }
            else
            {
                Interlocked.Increment(ref _unsentUpdates);
            }
        }

        if (toPartner || _config.Backups.Any())
        {
            _updates.Writer.TryWrite((toPartner, change));
        }
    }

    private async Task RunUpdatesAsync(CancellationToken token)
    {
        var reader = _updates.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var forPartner = new List<LeaseChange>();
                var forBackups = new List<LeaseChange>();
                while (reader.TryRead(out var item))
                {
                    forBackups.Add(item.Change);
                    if (item.ToPartner)
                    {
                        forPartner.Add(item.Change);
                    }
                }

                if (forPartner.Count > 0 && _config.Partner is { } partner)
                {
                    await SendUpdateAsync(partner, forPartner, token).ConfigureAwait(false);
                }

                foreach (var backup in _config.Backups)
                {
                    await SendUpdateAsync(backup, forBackups, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends one batch of lease changes as Kea's <c>lease6-bulk-apply</c>; a failure marks an active partner unavailable (Kea 2.2).</summary>
    internal async Task SendUpdateAsync(HaPeerConfig peer, IReadOnlyList<LeaseChange> changes, CancellationToken cancellationToken)
    {
        var command = HaLeaseUpdates.BulkApply(changes);
        if (command is null)
        {
            return;
        }

        try
        {
            var answer = await _channel.SendAsync(peer, command, RequestTimeout, cancellationToken).ConfigureAwait(false);
            var result = ControlAnswer.ResultOf(answer);
            if (result is ControlResult.Success)
            {
                return;
            }

            // Result 3 lists the leases the peer could not apply; anything else is a failed update.
            _log.LogWarning(new EventId(0, "HA_LEASE_UPDATE_FAILED"), "{Server}: lease update to {Peer} failed with result {Result}: {Text} {Failed}", _config.ThisServerName, peer.Name, result, answer["text"]?.ToString(), answer["arguments"]?.ToJsonString());
            if (result != ControlResult.Empty && peer.Role != HaRole.Backup)
            {
                _communication.MarkUnavailable();
            }
        }
        catch (HaPeerException ex)
        {
            _log.LogWarning(new EventId(0, "HA_LEASE_UPDATE_COMMUNICATIONS_FAILED"), "{Server}: failed to send lease updates to {Peer} ({Url}): {Reason}", _config.ThisServerName, peer.Name, peer.Url, ex.Message);
            if (peer.Role != HaRole.Backup)
            {
                _communication.MarkUnavailable();
            }
        }
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

    /// <summary>One element of <c>status-get</c>'s <c>high-availability</c> list (Kea 2.2's shape).</summary>
    public JsonObject Status()
    {
        var servers = new JsonObject
        {
            ["local"] = new JsonObject
            {
                ["role"] = RoleName(_config.ThisServer.Role),
                ["scopes"] = new JsonArray([.. _filter.ServedScopes.Select(s => (JsonNode)JsonValue.Create(s))]),
                ["state"] = _state,
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
        _updates.Writer.TryComplete();
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

        _network.Enable(LocalOrigin);
        _stop.Dispose();
        _machine.Dispose();
        _syncing.Dispose();
    }
}
