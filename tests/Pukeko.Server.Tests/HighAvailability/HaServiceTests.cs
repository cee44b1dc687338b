using Microsoft.Extensions.Logging;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.Control;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

public sealed class HaServiceTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly FakePeer _peer = new();
    private readonly NetworkState _network;
    private HaService? _service;

    public HaServiceTests() => _network = new NetworkState(_time);

    /// <summary>A peer that answers each command with what the test set, recording what it was sent.</summary>
    private sealed class FakePeer : IHaPeerChannel
    {
        public List<JsonObject> Received { get; } = [];

        public string? State { get; set; }

        public DateTimeOffset? Clock { get; set; }

        public long UnsentUpdates { get; set; }

        public int BulkApplyResult { get; set; }

        public FakeTimeProvider? Time { get; set; }

        /// <summary>When set, lease6-bulk-apply is answered by this (the test decides when and how).</summary>
        public Func<JsonObject, Task<JsonObject>>? BulkApply { get; set; }

        /// <summary>Answers to commands other than heartbeats and updates, by command name.</summary>
        public Dictionary<string, JsonObject> Answers { get; } = [];

        public List<JsonObject> Sent(string name)
        {
            lock (Received)
            {
                return Received.Where(c => c["command"]!.GetValue<string>() == name).ToList();
            }
        }

        public Task<JsonObject> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (Received)
            {
                Received.Add((JsonObject)command.DeepClone());
            }

            var name = command["command"]!.GetValue<string>();
            if (name == "ha-heartbeat")
            {
                if (State is null)
                {
                    throw new HaPeerException("connection refused");
                }

                return Task.FromResult(ControlAnswer.Success("HA peer status returned.", new JsonObject
                {
                    ["state"] = State,
                    ["date-time"] = (Clock ?? Time!.GetUtcNow()).ToString("r", CultureInfo.InvariantCulture),
                    ["scopes"] = new JsonArray(),
                    ["unsent-update-count"] = UnsentUpdates,
                }));
            }

            if (name == "lease6-bulk-apply" && BulkApply is { } bulkApply)
            {
                return bulkApply(command);
            }

            if (Answers.TryGetValue(name, out var answer))
            {
                return Task.FromResult((JsonObject)answer.DeepClone());
            }

            return Task.FromResult(ControlAnswer.Create(BulkApplyResult, "applied"));
        }
    }

    private HaService Start(HaMode mode, string self, Action<HaRelationshipConfig>? check = null, int maxUnacked = 10, bool syncLeases = false, Dictionary<string, HaPausing>? pausing = null, Func<HaRelationshipConfig, HaRelationshipConfig>? with = null, ILogger? log = null)
    {
        var config = HaQueryFilterTests.Relationship(mode, self) with
        {
            HeartbeatDelay = TimeSpan.FromSeconds(1),
            MaxResponseDelay = TimeSpan.FromSeconds(3),
            MaxAckDelay = TimeSpan.FromSeconds(1),
            MaxUnackedClients = maxUnacked,
            SyncLeases = syncLeases,
            StatePausing = pausing ?? [],
        };
        config = with?.Invoke(config) ?? config;
        check?.Invoke(config);
        _peer.Time = _time;
        _service = new HaService(config, _peer, _network, _time, log ?? NullLogger.Instance);
        _service.StartManually();
        return _service;
    }

    private static Dhcp6Packet Solicit(ushort elapsedHundredths, byte clientByte = 1)
    {
        var message = ClientMessages.Create(MessageType.Solicit, clientId: new Duid([0, 3, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, clientByte]));
        message.Options.RemoveAll(OptionCode.ElapsedTime);
        message.Options.Add(new ElapsedTimeOption(elapsedHundredths));
        return new Dhcp6Packet(message);
    }

    [Fact]
    public async Task A_primary_and_standby_reach_hot_standby_and_only_the_primary_serves()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        Assert.Equal("waiting", primary.State);
        Assert.False(_network.Enabled); // waiting: the DHCP service is off

        _peer.State = "waiting";
        await primary.StepAsync();
        Assert.Equal("ready", primary.State); // both waiting: the primary moves first (sync-leases false: no syncing)
        Assert.False(_network.Enabled);

        _peer.State = "ready";
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);
        Assert.True(_network.Enabled);
        Assert.Equal(["server1"], primary.Filter.ServedScopes);
        Assert.True(primary.Accept(Solicit(0)));

        var heartbeat = _peer.Received[0];
        Assert.Equal("""{"command":"ha-heartbeat","arguments":{"server-name":"server1"},"service":["dhcp6"]}""", heartbeat.ToJsonString());
    }

    [Fact]
    public async Task The_standby_waits_for_the_primary_then_serves_nobody_in_hot_standby()
    {
        var standby = Start(HaMode.HotStandby, "server2");
        _peer.State = "waiting";
        await standby.StepAsync();
        Assert.Equal("waiting", standby.State); // the primary moves first

        _peer.State = "ready";
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);

        _peer.State = "hot-standby";
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State);
        Assert.True(_network.Enabled);
        Assert.Empty(standby.Filter.ServedScopes);
        Assert.False(standby.Accept(Solicit(0)));
    }

    [Fact]
    public async Task The_standby_takes_over_after_max_response_delay_when_clients_go_unanswered()
    {
        var standby = Start(HaMode.HotStandby, "server2", maxUnacked: 1);
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State);

        _peer.State = null; // killed
        _time.Advance(TimeSpan.FromSeconds(2));
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State); // not interrupted yet

        _time.Advance(TimeSpan.FromSeconds(2));
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State); // interrupted, but no client seen unanswered

        Assert.False(standby.Accept(Solicit(50, 1)));   // 0.5 s: not beyond max-ack-delay
        Assert.False(standby.Accept(Solicit(200, 1)));  // 2 s: unacked (1 client)
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State); // not more than max-unacked-clients yet

        // Kea's count of clients left before partner-down: max-unacked-clients - unacked + 1, while interrupted.
        var interrupted = standby.Status()["ha-servers"]!["remote"]!;
        Assert.Equal((1, 1), (interrupted["unacked-clients"]!.GetValue<int>(), interrupted["unacked-clients-left"]!.GetValue<int>()));

        Assert.False(standby.Accept(Solicit(300, 2)));
        await standby.StepAsync();
        Assert.Equal("partner-down", standby.State);
        Assert.Equal(["server1"], standby.Filter.ServedScopes);
        Assert.True(standby.Accept(Solicit(0, 3)));

        var remote = standby.Status()["ha-servers"]!["remote"]!;
        Assert.True(remote["communication-interrupted"]!.GetValue<bool>());
        Assert.Equal(2, remote["unacked-clients"]!.GetValue<int>());
        Assert.Equal(3, remote["analyzed-packets"]!.GetValue<long>());
    }

    /// <summary>Records each log line's Kea message id and text.</summary>
    private sealed class IdLogger : ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Id, string Text)> _lines = new();

        public IReadOnlyList<(string Id, string Text)> Lines => [.. _lines];

        public IEnumerable<string> Texts(string id) => Lines.Where(l => l.Id == id).Select(l => l.Text);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue((eventId.Name ?? string.Empty, formatter(state, exception)));
    }

    [Fact]
    public async Task Keas_log_ids_tell_of_unusual_settings_transitions_update_sending_and_unanswered_clients()
    {
        var log = new IdLogger();
        var standby = Start(HaMode.HotStandby, "server2", maxUnacked: 1, log: log, with: c => c with
        {
            SendLeaseUpdates = true,
            SyncLeases = false,
            Peers = [.. c.Peers.Select(p => p.Name == "server2" ? p with { AutoFailover = false } : p)],
        });
        Assert.Contains("unusual configuration where \"send-lease-updates\": true and \"sync-leases\": false", Assert.Single(log.Texts("HA_CONFIG_LEASE_UPDATES_AND_SYNCING_DIFFER")), StringComparison.Ordinal);
        Assert.Single(log.Texts("HA_CONFIG_LEASE_SYNCING_DISABLED"));
        Assert.Empty(log.Texts("HA_CONFIG_LEASE_UPDATES_DISABLED"));
        Assert.Equal(["auto-failover disabled for server2"], log.Texts("HA_CONFIG_AUTO_FAILOVER_DISABLED"));

        _peer.State = "waiting";
        await standby.StepAsync();
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State);
        Assert.Single(log.Texts("HA_CONFIG_LEASE_SYNCING_DISABLED_REMINDER")); // waiting straight to ready
        Assert.Contains(log.Texts("HA_LEASE_UPDATES_ENABLED"), t => t.Contains("while in hot-standby state", StringComparison.Ordinal));
        Assert.Contains(log.Texts("HA_LEASE_UPDATES_DISABLED"), t => t.Contains("while in ready state", StringComparison.Ordinal));

        _peer.State = null;
        _time.Advance(TimeSpan.FromSeconds(4));
        await standby.StepAsync();
        standby.Accept(Solicit(50, 1));   // seen, not yet unanswered
        standby.Accept(Solicit(60, 1));   // the same client again: logged once
        standby.Accept(Solicit(300, 1));  // now unanswered
        Assert.Single(log.Texts("HA_COMMUNICATION_INTERRUPTED_CLIENT6"));
        Assert.Contains("1 clients unacked so far, 1 clients left before transitioning to the partner-down state",
            Assert.Single(log.Texts("HA_COMMUNICATION_INTERRUPTED_CLIENT6_UNACKED")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_in_another_modes_state_or_terminated_is_logged_with_Keas_ids()
    {
        var log = new IdLogger();
        var primary = Start(HaMode.HotStandby, "server1", log: log);
        _peer.State = "waiting";
        await primary.StepAsync();
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);
        Assert.Empty(log.Texts("HA_INVALID_PARTNER_STATE_LOAD_BALANCING"));

        // A partner configured for load-balancing: this server starts over, saying why.
        _peer.State = "load-balancing";
        await primary.StepAsync();
        Assert.Equal("waiting", primary.State);
        Assert.Contains("partner is in the load-balancing state unexpectedly", Assert.Single(log.Texts("HA_INVALID_PARTNER_STATE_LOAD_BALANCING")), StringComparison.Ordinal);

        // Waiting for a terminated partner: said at every heartbeat, as Kea does, and nothing moves.
        _peer.State = "terminated";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("waiting", primary.State);
        Assert.Equal(2, log.Texts("HA_TERMINATED_RESTART_PARTNER").Count());
    }

    [Fact]
    public async Task A_primary_goes_partner_down_as_soon_as_communication_is_interrupted()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);

        _peer.State = null;
        _time.Advance(TimeSpan.FromSeconds(4));
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);
        Assert.Equal(["server1"], primary.Filter.ServedScopes);

        // The partner comes back and synchronises; once it is ready, the primary goes back to hot-standby.
        _peer.State = "ready";
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);
    }

    [Fact]
    public async Task A_sync_complete_notice_in_partner_down_holds_the_service_until_the_next_heartbeat()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = null;
        _time.Advance(TimeSpan.FromSeconds(4));
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);
        Assert.True(_network.Enabled);

        // The partner says it has synchronised, but the next heartbeat does not reach it: serve on.
        primary.SyncCompleteNotified();
        Assert.Equal(["1000"], _network.DisabledBy);
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);
        Assert.True(_network.Enabled);

        // The notice is used up by that heartbeat: a later failing one changes nothing.
        await primary.StepAsync();
        Assert.True(_network.Enabled);

        // This time the partner answers, ready: the pair goes back to hot-standby, the service on.
        primary.SyncCompleteNotified();
        Assert.False(_network.Enabled);
        _peer.State = "ready";
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);
        Assert.True(_network.Enabled);

        // Outside partner-down the notice does not touch this server's own origin.
        primary.SyncCompleteNotified();
        Assert.True(_network.Enabled);
    }

    [Fact]
    public async Task Partner_down_goes_back_to_waiting_when_the_returning_partner_has_unsent_updates()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = null;
        _time.Advance(TimeSpan.FromSeconds(4));
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);

        _peer.State = "ready";
        _peer.UnsentUpdates = 5;
        await primary.StepAsync();
        Assert.Equal("waiting", primary.State);
    }

    [Fact]
    public async Task A_large_clock_skew_terminates()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "waiting";
        _peer.Clock = _time.GetUtcNow().AddSeconds(61);
        await primary.StepAsync();
        Assert.Equal("terminated", primary.State);
        Assert.True(_network.Enabled); // terminated serves its own scope
        Assert.Equal(["server1"], primary.Filter.ServedScopes);
    }

    [Fact]
    public async Task A_paused_state_machine_waits_for_ha_continue()
    {
        var primary = Start(HaMode.HotStandby, "server1", pausing: new Dictionary<string, HaPausing> { ["ready"] = HaPausing.Once });
        _peer.State = "ready";
        await primary.StepAsync();
        Assert.Equal("ready", primary.State);
        Assert.True(primary.Paused);
        await primary.StepAsync();
        Assert.Equal("ready", primary.State);

        Assert.True(await primary.ContinueAsync(CancellationToken.None));
        Assert.Equal("hot-standby", primary.State);
        Assert.False(await primary.ContinueAsync(CancellationToken.None));

        Assert.True(await primary.ResetAsync(CancellationToken.None));
        Assert.Equal("waiting", primary.State);
        Assert.False(await primary.ResetAsync(CancellationToken.None));
        await primary.StepAsync();
        Assert.Equal("ready", primary.State);
        Assert.False(primary.Paused); // once: not paused again
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);
    }

    [Fact]
    public async Task The_heartbeat_answer_has_keas_fields()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();

        var answer = primary.HeartbeatAnswer();
        Assert.Equal(0, ControlAnswer.ResultOf(answer));
        Assert.Equal("HA peer status returned.", answer["text"]!.GetValue<string>());
        var args = answer["arguments"]!.AsObject();
        Assert.Equal("hot-standby", args["state"]!.GetValue<string>());
        Assert.Equal("Thu, 03 Dec 2026 10:00:00 GMT", args["date-time"]!.GetValue<string>());
        Assert.Equal("""["server1"]""", args["scopes"]!.ToJsonString());
        Assert.Equal(0, args["unsent-update-count"]!.GetValue<long>());

        // What we answer, we can read back.
        var parsed = HaService.ParseHeartbeat(answer);
        Assert.Equal("hot-standby", parsed.State);
        Assert.Equal(_time.GetUtcNow(), parsed.Time);
    }

    [Theory]
    [InlineData("""{"result":0,"arguments":{"state":"sleeping","date-time":"Thu, 03 Dec 2026 10:00:00 GMT"}}""")]
    [InlineData("""{"result":0,"arguments":{"state":"ready","date-time":"2026-12-03T10:00:00Z"}}""")]
    [InlineData("""{"result":0,"arguments":{"state":"ready","date-time":"Thu, 03 Dec 2026 10:00:00 GMT","unsent-update-count":"x"}}""")]
    [InlineData("""{"result":0}""")]
    public void A_malformed_heartbeat_answer_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => HaService.ParseHeartbeat(JsonNode.Parse(text)!.AsObject()));
    }

    internal static Lease6 LeaseFor(byte client, string address = "2001:db8:1::100") => new()
    {
        Address = Ipv6Address.Parse(address),
        Type = LeaseType.NA,
        Duid = [0, 3, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, client],
        Iaid = 7,
        Cltt = 1_800_000_000,
        ValidLifetime = 4000,
        PreferredLifetime = 3000,
        SubnetId = 1,
        Hostname = "host.example.org",
    };

    /// <summary>What the pipeline asks after a Request from client <paramref name="client"/> committed <paramref name="changes"/>.</summary>
    internal static ValueTask<CommittedLeasesOutcome> Committed(HaService service, byte client, IReadOnlyList<LeaseChange> changes, uint parkedPacketLimit = 256)
    {
        var message = ClientMessages.Create(MessageType.Request, clientId: new Duid([0, 3, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, client]));
        return service.LeasesCommittedAsync(new Dhcp6Packet(message), changes, parkedPacketLimit);
    }

    internal static ValueTask<CommittedLeasesOutcome> Allocated(HaService service, byte client, string address = "2001:db8:1::100") =>
        Committed(service, client, [new LeaseChange(null, LeaseFor(client, address), LeaseChangeReason.Allocated)]);

    private async Task<HaService> InStateAsync(HaMode mode, string state, Func<HaRelationshipConfig, HaRelationshipConfig>? with = null)
    {
        var service = Start(mode, "server1", with: with);
        _peer.State = state;
        await service.StepAsync();
        await service.StepAsync();
        Assert.Equal(state, service.State);
        return service;
    }

    [Fact]
    public async Task Lease_changes_go_to_the_partner_as_keas_bulk_apply_only_in_states_that_send_them()
    {
        var primary = Start(HaMode.HotStandby, "server1");

        // Waiting: nothing is sent, the reply goes out at once, and the change is counted as unsent.
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
        Assert.Equal(1, primary.UnsentUpdateCount);
        Assert.Empty(_peer.Sent("lease6-bulk-apply"));

        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);

        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
        var update = _peer.Sent("lease6-bulk-apply").Single();
        Assert.Equal("""["dhcp6"]""", update["service"]!.ToJsonString());
        Assert.Equal("[]", update["arguments"]!["deleted-leases"]!.ToJsonString());
        var sent = update["arguments"]!["leases"]![0]!.AsObject();
        Assert.Equal("2001:db8:1::100", sent["ip-address"]!.GetValue<string>());
        Assert.Equal("00:03:00:01:00:11:22:33:44:01", sent["duid"]!.GetValue<string>());
        Assert.Equal(1_800_004_000, sent["expire"]!.GetValue<long>());
        Assert.False(sent.ContainsKey("cltt"));
        Assert.Equal("IA_NA", sent["type"]!.GetValue<string>());

        // A release deletes the lease on the partner.
        var lease = LeaseFor(1);
        var released = lease.Clone();
        released.State = LeaseState.Released;
        var command = HaLeaseUpdates.BulkApply([new LeaseChange(lease, released, LeaseChangeReason.Released)])!;
        Assert.Equal("2001:db8:1::100", command["arguments"]!["deleted-leases"]![0]!["ip-address"]!.GetValue<string>());

        // Reclamation the query triggered on the way (and lease commands) are never sent.
        Assert.Equal(CommittedLeasesOutcome.Send, await Committed(primary, 1, [new LeaseChange(lease, null, LeaseChangeReason.Reclaimed), new LeaseChange(null, lease, LeaseChangeReason.Command)]));
        Assert.Single(_peer.Sent("lease6-bulk-apply"));
        Assert.Equal(1, primary.UnsentUpdateCount);
    }

    [Fact]
    public async Task Without_send_lease_updates_nothing_goes_to_the_partner_and_nothing_is_counted_unsent()
    {
        var primary = await InStateAsync(HaMode.HotStandby, "hot-standby", c => c with { SendLeaseUpdates = false });
        var ack = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _peer.BulkApply = _ => ack.Task; // would hold the reply, were an update sent

        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
        Assert.Empty(_peer.Sent("lease6-bulk-apply"));
        Assert.Equal(0, primary.UnsentUpdateCount);
    }

    [Fact]
    public async Task With_heartbeat_delay_0_no_heartbeat_is_sent()
    {
        var primary = Start(HaMode.HotStandby, "server1", with: c => c with { HeartbeatDelay = TimeSpan.Zero });
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Empty(_peer.Sent("ha-heartbeat"));
    }

    [Fact]
    public async Task The_reply_waits_for_the_partner_s_acknowledgement_and_is_dropped_when_the_update_fails()
    {
        var primary = await InStateAsync(HaMode.HotStandby, "hot-standby");
        var ack = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _peer.BulkApply = _ => ack.Task;

        // Parked until the partner answers.
        var pending = Allocated(primary, 1);
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, primary.ParkedCount);

        // Another one beyond parked-packet-limit is dropped at once, and nothing is sent for it.
        Assert.Equal(CommittedLeasesOutcome.ParkingLotFull, await Committed(primary, 2, [new LeaseChange(null, LeaseFor(2, "2001:db8:1::101"), LeaseChangeReason.Allocated)], parkedPacketLimit: 1));
        Assert.Single(_peer.Sent("lease6-bulk-apply"));

        ack.SetResult(ControlAnswer.Success("Bulk apply of 1 IPv6 leases completed."));
        Assert.Equal(CommittedLeasesOutcome.Send, await pending);
        Assert.Equal(0, primary.ParkedCount);

        // A failed update drops the reply (the client retransmits) and marks the partner unavailable (Kea).
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Error("no lease database"));
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));
        Assert.Equal("unavailable", primary.Communication.PartnerState);

        // So does a partner that cannot be reached.
        _peer.BulkApply = _ => throw new HaPeerException("connection refused");
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));

        // Result 3 whose failed leases carry result 1 is an error too (Kea 2.3+); without errors it is acknowledged.
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Create(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", new JsonObject
        {
            ["failed-leases"] = new JsonArray(new JsonObject { ["type"] = "IA_NA", ["ip-address"] = "2001:db8:1::100", ["result"] = 1, ["error-message"] = "no subnet" }),
        }));
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Create(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", new JsonObject { ["failed-leases"] = new JsonArray() }));
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
    }

    [Fact]
    public async Task Rejected_updates_drop_the_reply_without_losing_the_partner_and_too_many_rejected_clients_terminate()
    {
        var primary = await InStateAsync(HaMode.HotStandby, "hot-standby", c => c with { MaxRejectedLeaseUpdates = 2 });
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Create(ControlResult.Conflict, "lease conflicts with the configuration"));

        // A conflict drops the reply but the partner answered: it is not unavailable. The client is counted once.
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal(1, primary.RejectedClients.Count);

        // A later successful update for the client forgets it.
        _peer.BulkApply = null;
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
        Assert.Equal(0, primary.RejectedClients.Count);

        // Per-lease conflicts in a result-3 answer count as well; two distinct clients reach the limit: terminated.
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Create(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", new JsonObject
        {
            ["failed-leases"] = new JsonArray(new JsonObject { ["type"] = "IA_NA", ["ip-address"] = "2001:db8:1::100", ["result"] = 4, ["error-message"] = "conflict" }),
        }));
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 1));
        Assert.Equal("hot-standby", primary.State);
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(primary, 2));
        Assert.Equal("terminated", primary.State);

        // Entering terminated forgets them; rejections also expire after a day.
        Assert.Equal(0, primary.RejectedClients.Count);
        var rejected = new HaRejectedClients(10, _time);
        rejected.Rejected("01");
        _time.Advance(HaRejectedClients.Lifetime);
        Assert.Equal(0, rejected.Count);
    }

    [Fact]
    public async Task Backups_get_updates_best_effort_and_with_wait_backup_ack_the_reply_waits_for_them()
    {
        HaRelationshipConfig PassiveBackup(HaRelationshipConfig c, bool wait) => c with
        {
            Mode = HaMode.PassiveBackup,
            WaitBackupAck = wait,
            Peers =
            [
                new HaPeerConfig { Name = "server1", Url = new Uri("http://192.0.2.1:8001/"), Role = HaRole.Primary },
                new HaPeerConfig { Name = "backup1", Url = new Uri("http://192.0.2.3:8001/"), Role = HaRole.Backup },
            ],
        };

        // Best effort: the reply goes out at once; the update follows from the sender loop, and its failure drops nothing.
        var primary = Start(HaMode.HotStandby, "server1", with: c => PassiveBackup(c, wait: false));
        await primary.StepAsync();
        Assert.Equal("passive-backup", primary.State);
        await primary.DisposeAsync();
        primary = new HaService(primary.Config, _peer, _network, _time, NullLogger.Instance);
        _service = primary;
        primary.Start();
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Error("backup is down"));
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_peer.Sent("lease6-bulk-apply").Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the backup never got the update");
            await Task.Delay(10);
        }

        // wait-backup-ack: the reply waits for the backup, and its failure drops the reply.
        var waiting = Start(HaMode.HotStandby, "server1", with: c => PassiveBackup(c, wait: true));
        await waiting.StepAsync();
        Assert.Equal(CommittedLeasesOutcome.Drop, await Allocated(waiting, 1));
        _peer.BulkApply = null;
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(waiting, 1));
        await primary.DisposeAsync();
    }

    /// <summary>A passive-backup primary (server1) with one backup and no partner.</summary>
    private HaService StartPassiveBackupPrimary() => Start(HaMode.HotStandby, "server1", with: c => c with
    {
        Mode = HaMode.PassiveBackup,
        Peers =
        [
            new HaPeerConfig { Name = "server1", Url = new Uri("http://192.0.2.1:8001/"), Role = HaRole.Primary },
            new HaPeerConfig { Name = "backup1", Url = new Uri("http://192.0.2.3:8001/"), Role = HaRole.Backup },
        ],
    });

    [Fact]
    public async Task Maintenance_start_on_a_passive_backup_primary_fails_with_Keas_reason_and_notifies_nobody()
    {
        var primary = StartPassiveBackupPrimary();
        await primary.StepAsync();
        Assert.Equal("passive-backup", primary.State);

        // Kea 2.2 throws here (no failover partner) and answers nothing; Pukeko answers with the reason Kea logs.
        var answer = await primary.MaintenanceStartAsync(CancellationToken.None);
        Assert.Equal(1, answer["result"]!.GetValue<int>());
        Assert.Equal("no failover partner server found for this server server1", answer["text"]!.GetValue<string>());
        Assert.Empty(_peer.Sent("ha-maintenance-notify"));
        Assert.Equal("passive-backup", primary.State);
    }

    [Fact]
    public async Task Load_balancing_queues_updates_in_communication_recovery_and_sends_them_when_the_partner_is_back()
    {
        var primary = await InStateAsync(HaMode.LoadBalancing, "load-balancing", c => c with { DelayedUpdatesLimit = 2 });

        // The partner stops answering: not yet down (communication not interrupted), so communication-recovery.
        _peer.State = null;
        await primary.StepAsync();
        Assert.Equal("communication-recovery", primary.State);
        Assert.Equal(["server1"], primary.Filter.ServedScopes);
        Assert.True(_network.Enabled);

        // Replies go out at once; the updates wait in the backlog.
        var before = _peer.Sent("lease6-bulk-apply").Count;
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 1, "2001:db8:1::100"));
        Assert.Equal(CommittedLeasesOutcome.Send, await Allocated(primary, 2, "2001:db8:1::102"));
        Assert.Equal(2, primary.Backlog.Count);
        Assert.Equal(before, _peer.Sent("lease6-bulk-apply").Count);
        Assert.Equal(0, primary.UnsentUpdateCount);

        // The partner is back: the backlog goes in one lease6-bulk-apply, then load-balancing again.
        _peer.State = "load-balancing";
        await primary.StepAsync();
        Assert.Equal("load-balancing", primary.State);
        var replayed = _peer.Sent("lease6-bulk-apply").Last();
        Assert.Equal(["2001:db8:1::100", "2001:db8:1::102"], replayed["arguments"]!["leases"]!.AsArray().Select(l => l!["ip-address"]!.GetValue<string>()));
        Assert.Equal(0, primary.Backlog.Count);
    }

    [Fact]
    public async Task An_overflowed_backlog_makes_the_partner_synchronise_with_ha_reset_and_this_server_start_over()
    {
        var primary = await InStateAsync(HaMode.LoadBalancing, "load-balancing", c => c with { DelayedUpdatesLimit = 1 });
        _peer.State = null;
        await primary.StepAsync();
        Assert.Equal("communication-recovery", primary.State);
        await Allocated(primary, 1, "2001:db8:1::100");
        await Allocated(primary, 2, "2001:db8:1::102");
        Assert.True(primary.Backlog.Overflowed);

        // ha-reset refused: stay (and try again with the next heartbeat).
        _peer.Answers["ha-reset"] = ControlAnswer.Error("busy");
        _peer.State = "load-balancing";
        await primary.StepAsync();
        Assert.Equal("communication-recovery", primary.State);

        _peer.Answers["ha-reset"] = ControlAnswer.Success("HA state machine reset.");
        await primary.StepAsync();
        Assert.Equal("waiting", primary.State);
        Assert.Equal(2, _peer.Sent("ha-reset").Count);
        Assert.False(primary.Backlog.Overflowed);

        // A backlog that cannot be delivered leads to the same.
        var other = await InStateAsync(HaMode.LoadBalancing, "load-balancing", c => c with { DelayedUpdatesLimit = 5 });
        _peer.State = null;
        await other.StepAsync();
        await Allocated(other, 1);
        _peer.State = "load-balancing";
        _peer.BulkApply = _ => Task.FromResult(ControlAnswer.Error("no"));
        await other.StepAsync();
        Assert.Equal("waiting", other.State);
        await primary.DisposeAsync();
    }

    [Fact]
    public void Communication_recovery_transitions_are_keas()
    {
        var lb = HaQueryFilterTests.Relationship(HaMode.LoadBalancing, "server1") with { DelayedUpdatesLimit = 100 };
        var hs = HaQueryFilterTests.Relationship(HaMode.HotStandby, "server1");
        string? Next(HaRelationshipConfig c, string state, string partner, bool down = false, bool interrupted = false, bool overflowed = false) =>
            HaTransitions.Next(c, state, partner, down, false, TimeSpan.Zero, interrupted, overflowed);

        Assert.Equal("communication-recovery", Next(lb, "load-balancing", "unavailable"));
        Assert.Equal("partner-down", Next(lb, "load-balancing", "unavailable", down: true));
        Assert.Null(Next(lb with { DelayedUpdatesLimit = 0 }, "load-balancing", "unavailable"));
        Assert.Null(Next(hs, "hot-standby", "unavailable"));
        Assert.Null(Next(lb, "communication-recovery", "unavailable"));
        Assert.Equal("partner-down", Next(lb, "communication-recovery", "unavailable", down: true));
        Assert.Equal("load-balancing", Next(lb, "communication-recovery", "load-balancing"));
        Assert.Equal("load-balancing", Next(lb, "communication-recovery", "communication-recovery"));
        Assert.Null(Next(lb, "communication-recovery", "ready"));
        Assert.Equal("waiting", Next(lb, "communication-recovery", "syncing", overflowed: true));
        Assert.Equal("waiting", Next(lb, "communication-recovery", "partner-down"));
        Assert.Equal("partner-in-maintenance", Next(lb, "communication-recovery", "in-maintenance"));
        Assert.Equal("in-maintenance", Next(lb, "communication-recovery", "partner-in-maintenance"));
        Assert.Equal("terminated", Next(lb, "communication-recovery", "terminated"));
        Assert.Equal("waiting", Next(hs, "hot-standby", "communication-recovery"));
    }

    [Fact]
    public async Task Maintenance_notify_and_its_refusals_are_keas()
    {
        var standby = Start(HaMode.HotStandby, "server2");
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        Assert.Equal("hot-standby", standby.State);

        Assert.Equal("Unable to cancel the maintenance for the server not in the in-maintenance state.", (await standby.MaintenanceNotifyAsync(true, CancellationToken.None))["text"]!.GetValue<string>());
        var notified = await standby.MaintenanceNotifyAsync(false, CancellationToken.None);
        Assert.Equal("Server is in-maintenance state.", notified["text"]!.GetValue<string>());
        Assert.Equal("in-maintenance", standby.State);
        Assert.False(_network.Enabled);

        // It stays there whatever the partner does, until canceled; then back to where it was.
        _peer.State = "partner-in-maintenance";
        await standby.StepAsync();
        Assert.Equal("in-maintenance", standby.State);
        Assert.Equal("Server maintenance canceled.", (await standby.MaintenanceNotifyAsync(true, CancellationToken.None))["text"]!.GetValue<string>());
        Assert.Equal("hot-standby", standby.State);

        // A server in partner-in-maintenance (or terminated, or a backup) refuses with Kea's result 1001.
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server is in-maintenance state.");
        Assert.Equal(0, (await primary.MaintenanceStartAsync(CancellationToken.None))["result"]!.GetValue<int>());
        Assert.Equal("partner-in-maintenance", primary.State);
        var refused = await primary.MaintenanceNotifyAsync(false, CancellationToken.None);
        Assert.Equal(HaService.MaintenanceNotAllowed, refused["result"]!.GetValue<int>());
        Assert.Equal("Unable to transition the server from the partner-in-maintenance to in-maintenance state.", refused["text"]!.GetValue<string>());
        Assert.Equal(1, (await primary.MaintenanceStartAsync(CancellationToken.None))["result"]!.GetValue<int>());
        Assert.Equal("""{"cancel":false,"state":"hot-standby","server-name":"server1"}""", _peer.Sent("ha-maintenance-notify")[0]["arguments"]!.ToJsonString());

        // A partner that refuses with 1001 leaves this server where it was.
        var other = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await other.StepAsync();
        await other.StepAsync();
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Create(HaService.MaintenanceNotAllowed, "Unable to transition the server from the terminated to in-maintenance state.");
        var answer = await other.MaintenanceStartAsync(CancellationToken.None);
        Assert.Equal(1, answer["result"]!.GetValue<int>());
        Assert.StartsWith("Unable to transition to the partner-in-maintenance state. The partner server responded with the following message to the ha-maintenance-notify command: ", answer["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("hot-standby", other.State);

        // A partner that answers an error is taken as down; every scope is served even without auto-failover.
        var noFailover = Start(HaMode.LoadBalancing, "server2", with: c => HaQueryFilterTests.Relationship(HaMode.LoadBalancing, "server2", autoFailover: false) with { HeartbeatDelay = c.HeartbeatDelay, MaxResponseDelay = c.MaxResponseDelay, SyncLeases = false });
        _peer.State = "load-balancing";
        await noFailover.StepAsync();
        await noFailover.StepAsync();
        Assert.Equal("load-balancing", noFailover.State);
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Error("down");
        var down = await noFailover.MaintenanceStartAsync(CancellationToken.None);
        Assert.Equal("Server is now in the partner-down state as its partner appears to be offline for maintenance.", down["text"]!.GetValue<string>());
        Assert.Equal("partner-down", noFailover.State);
        Assert.Equal(["server1", "server2"], noFailover.Filter.ServedScopes.Order(StringComparer.Ordinal));
        Assert.Equal("Unable to cancel maintenance request because the server is not in the partner-in-maintenance state.", (await noFailover.MaintenanceCancelAsync(CancellationToken.None))["text"]!.GetValue<string>());
        await primary.DisposeAsync();
        await other.DisposeAsync();
    }
    [Fact]
    public async Task Maintenance_cancel_carries_keas_3_state_both_ways_and_works_without_it()
    {
        // Receiving (Kea 3.x sender): the sender's state becomes the partner's, the answer names where this server went.
        var standby = Start(HaMode.HotStandby, "server2");
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        await standby.MaintenanceNotifyAsync(false, CancellationToken.None, "hot-standby");
        Assert.Equal("in-maintenance", standby.State);
        var canceled = await standby.MaintenanceNotifyAsync(true, CancellationToken.None, "ready");
        Assert.Equal("Server maintenance canceled.", canceled["text"]!.GetValue<string>());
        Assert.Equal("""{"state":"hot-standby"}""", canceled["arguments"]!.ToJsonString());
        Assert.Equal("hot-standby", standby.State);
        Assert.Equal("ready", standby.Communication.PartnerState);

        // Kea 2.2 sends no state: the partner is unavailable until its next heartbeat; a name Kea does not know likewise.
        await standby.MaintenanceNotifyAsync(false, CancellationToken.None);
        await standby.MaintenanceNotifyAsync(true, CancellationToken.None);
        Assert.Equal("unavailable", standby.Communication.PartnerState);
        await standby.MaintenanceNotifyAsync(false, CancellationToken.None);
        await standby.MaintenanceNotifyAsync(true, CancellationToken.None, "sleeping");
        Assert.Equal("unavailable", standby.Communication.PartnerState);

        // Sending: start names this server's state; cancel the state it returns to, and the partner's answer
        // (Kea 3.x: its new state) becomes the partner's state.
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server is in-maintenance state.");
        await primary.MaintenanceStartAsync(CancellationToken.None);
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server maintenance canceled.", new JsonObject { ["state"] = "hot-standby" });
        Assert.Equal("Server maintenance successfully canceled.", (await primary.MaintenanceCancelAsync(CancellationToken.None))["text"]!.GetValue<string>());
        Assert.Equal("hot-standby", primary.State);
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal(
            ["""{"cancel":false,"state":"hot-standby","server-name":"server1"}""", """{"cancel":true,"state":"hot-standby","server-name":"server1"}"""],
            _peer.Sent("ha-maintenance-notify").Select(c => c["arguments"]!.ToJsonString()));

        // A Kea 2.2 partner answers without a state: unavailable until the next heartbeat. A state that is not a
        // string fails the cancel (Kea 3.x), and the server stays in partner-in-maintenance.
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server is in-maintenance state.");
        await primary.MaintenanceStartAsync(CancellationToken.None);
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server maintenance canceled.");
        Assert.Equal(0, (await primary.MaintenanceCancelAsync(CancellationToken.None))["result"]!.GetValue<int>());
        Assert.Equal("unavailable", primary.Communication.PartnerState);
        _peer.State = "hot-standby";
        await primary.StepAsync();
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server is in-maintenance state.");
        await primary.MaintenanceStartAsync(CancellationToken.None);
        _peer.Answers["ha-maintenance-notify"] = ControlAnswer.Success("Server maintenance canceled.", new JsonObject { ["state"] = 5 });
        Assert.Equal(1, (await primary.MaintenanceCancelAsync(CancellationToken.None))["result"]!.GetValue<int>());
        Assert.Equal("partner-in-maintenance", primary.State);
        await primary.DisposeAsync();
    }

    [Fact]
    public async Task Status_get_section_has_keas_2_2_keys_and_keas_3_x_additions()
    {
        var standby = Start(HaMode.HotStandby, "server2");
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();

        var status = standby.Status();
        Assert.Equal("hot-standby", status["ha-mode"]!.GetValue<string>());
        var local = status["ha-servers"]!["local"]!.AsObject();
        Assert.Equal("standby", local["role"]!.GetValue<string>());
        Assert.Equal("hot-standby", local["state"]!.GetValue<string>());
        Assert.Equal("[]", local["scopes"]!.ToJsonString());
        Assert.Equal(["role", "scopes", "server-name", "state", "system-time"], local.Select(p => p.Key));
        var remote = status["ha-servers"]!["remote"]!.AsObject();

        // In Kea's order (its maps are sorted by key), with 3.x's clock-skew, server-name and system-time.
        Assert.Equal(
            ["age", "analyzed-packets", "clock-skew", "communication-interrupted", "connecting-clients", "in-touch", "last-scopes", "last-state", "role", "server-name", "system-time", "unacked-clients", "unacked-clients-left"],
            remote.Select(p => p.Key));
        Assert.Equal("primary", remote["role"]!.GetValue<string>());
        Assert.Equal("hot-standby", remote["last-state"]!.GetValue<string>());
        Assert.True(remote["in-touch"]!.GetValue<bool>());
        Assert.Equal(0, remote["unacked-clients-left"]!.GetValue<int>()); // Kea counts it only while communication is interrupted
    }

    [Fact]
    public void Before_any_heartbeat_answer_status_get_names_both_servers_and_has_null_times_and_skew()
    {
        var standby = Start(HaMode.HotStandby, "server2");

        // Kea 3.0's answer for a standby that has not yet heard from its primary.
        Assert.Equal(
            """{"ha-mode":"hot-standby","ha-servers":{"local":{"role":"standby","scopes":[],"server-name":"server2","state":"waiting","system-time":null},"remote":{"age":0,"analyzed-packets":0,"clock-skew":null,"communication-interrupted":false,"connecting-clients":0,"in-touch":false,"last-scopes":[],"last-state":"","role":"primary","server-name":"server1","system-time":null,"unacked-clients":0,"unacked-clients-left":0}}}""",
            standby.Status().ToJsonString());
    }

    [Fact]
    public async Task Status_get_times_are_both_clocks_at_the_last_heartbeat_answer_and_the_skew_is_whole_seconds()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "waiting";

        // Our clock at 10:00:00.600, the partner's at 10:00:07: Kea reads its own clock to the second, so the
        // skew is 7 s (not 6.4 s truncated to 6).
        _time.Advance(TimeSpan.FromMilliseconds(600));
        _peer.Clock = new DateTimeOffset(2026, 12, 3, 10, 0, 7, TimeSpan.Zero);
        await primary.StepAsync();
        var (local, remote) = LocalAndRemote(primary);
        Assert.Equal("2026-12-03 10:00:00", local["system-time"]!.GetValue<string>());
        Assert.Equal("server1", local["server-name"]!.GetValue<string>());
        Assert.Equal("2026-12-03 10:00:07", remote["system-time"]!.GetValue<string>());
        Assert.Equal(7L, remote["clock-skew"]!.GetValue<long>());
        Assert.Equal("server2", remote["server-name"]!.GetValue<string>());

        // No heartbeat since: the times are still those of the last answer, not the clock now.
        _time.Advance(TimeSpan.FromSeconds(2));
        (local, _) = LocalAndRemote(primary);
        Assert.Equal("2026-12-03 10:00:00", local["system-time"]!.GetValue<string>());

        // A partner behind us gives a negative skew.
        _peer.Clock = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        await primary.StepAsync();
        (local, remote) = LocalAndRemote(primary);
        Assert.Equal("2026-12-03 10:00:02", local["system-time"]!.GetValue<string>());
        Assert.Equal("2026-12-03 10:00:00", remote["system-time"]!.GetValue<string>());
        Assert.Equal(-2L, remote["clock-skew"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_heartbeat_that_fails_clears_both_times_and_the_skew_as_Kea_does()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "waiting";
        _peer.Clock = _time.GetUtcNow().AddSeconds(3);
        await primary.StepAsync();
        Assert.Equal(3L, LocalAndRemote(primary).Remote["clock-skew"]!.GetValue<long>());

        _peer.State = null; // unreachable
        await primary.StepAsync();
        var (local, remote) = LocalAndRemote(primary);
        Assert.Null(local["system-time"]);
        Assert.Null(remote["system-time"]);
        Assert.Null(remote["clock-skew"]);
        Assert.True(local.ContainsKey("system-time") && remote.ContainsKey("system-time") && remote.ContainsKey("clock-skew")); // null, not left out
        Assert.Equal(TimeSpan.Zero, primary.Communication.ClockSkew);
        Assert.Equal("server2", remote["server-name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_passive_backup_primary_shows_its_name_and_a_null_system_time_and_no_remote()
    {
        var primary = StartPassiveBackupPrimary();
        await primary.StepAsync();

        // No heartbeats in passive-backup, so Kea 3.0 never has a time to show.
        Assert.Equal(
            """{"ha-mode":"passive-backup","ha-servers":{"local":{"role":"primary","scopes":["server1"],"server-name":"server1","state":"passive-backup","system-time":null}}}""",
            primary.Status().ToJsonString());
    }

    private static (JsonObject Local, JsonObject Remote) LocalAndRemote(HaService service)
    {
        var servers = service.Status()["ha-servers"]!;
        return (servers["local"]!.AsObject(), servers["remote"]!.AsObject());
    }

    [Fact]
    public async Task The_pipeline_drops_a_query_out_of_scope_and_counts_it_as_a_receive_drop()
    {
        using var harness = new PipelineHarness();
        var standby = Start(HaMode.HotStandby, "server2", maxUnacked: 0);
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        harness.Processor.QueryFilter = new HaServices([standby], HaSubnetMap.Empty, null, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var (reply, _, _) = harness.Exchange(ClientMessages.Create(MessageType.Solicit));
        Assert.Null(reply);
        Assert.Equal(1, harness.Statistics.Value("pkt6-receive-drop"));
        Assert.Equal(0, harness.Statistics.Value("pkt6-solicit-received"));

        // In partner-down the standby answers the same client.
        _peer.State = null;
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("hot-standby", standby.State);
        await standby.StepAsync(); // max-unacked-clients 0: interrupted is enough
        Assert.Equal("partner-down", standby.State);
        (reply, _, _) = harness.Exchange(ClientMessages.Create(MessageType.Solicit));
        Assert.Equal(MessageType.Advertise, reply!.Type);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        Assert.True(_network.Enabled); // a stopped service gives the DHCP service back
        _network.Dispose();
    }
}
