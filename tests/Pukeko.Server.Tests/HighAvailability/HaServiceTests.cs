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

            return Task.FromResult(ControlAnswer.Create(BulkApplyResult, "applied"));
        }
    }

    private HaService Start(HaMode mode, string self, Action<HaRelationshipConfig>? check = null, int maxUnacked = 10, bool syncLeases = false, Dictionary<string, HaPausing>? pausing = null)
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
        check?.Invoke(config);
        _peer.Time = _time;
        _service = new HaService(config, _peer, _network, _time, NullLogger.Instance);
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
        Assert.Equal("""{"command":"ha-heartbeat","service":["dhcp6"]}""", heartbeat.ToJsonString());
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

    [Fact]
    public async Task Lease_changes_go_to_the_partner_as_keas_bulk_apply_only_in_states_that_send_them()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        var lease = new Lease6
        {
            Address = Ipv6Address.Parse("2001:db8:1::100"),
            Type = LeaseType.NA,
            Duid = [0, 3, 0, 1, 1, 2, 3, 4, 5, 6],
            Iaid = 7,
            Cltt = 1_800_000_000,
            ValidLifetime = 4000,
            PreferredLifetime = 3000,
            SubnetId = 1,
            Hostname = "host.example.org",
        };

        // Waiting: nothing is sent; the change is counted as unsent.
        primary.OnLeaseChanged(new LeaseChange(null, lease, LeaseChangeReason.Allocated));
        Assert.Equal(1, primary.UnsentUpdateCount);

        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.State);

        await primary.SendUpdateAsync(primary.Config.Partner!, [new LeaseChange(null, lease, LeaseChangeReason.Allocated)], CancellationToken.None);
        var update = _peer.Received.Last();
        Assert.Equal("lease6-bulk-apply", update["command"]!.GetValue<string>());
        Assert.Equal("""["dhcp6"]""", update["service"]!.ToJsonString());
        Assert.Equal("[]", update["arguments"]!["deleted-leases"]!.ToJsonString());
        var sent = update["arguments"]!["leases"]![0]!.AsObject();
        Assert.Equal("2001:db8:1::100", sent["ip-address"]!.GetValue<string>());
        Assert.Equal("00:03:00:01:01:02:03:04:05:06", sent["duid"]!.GetValue<string>());
        Assert.Equal(1_800_004_000, sent["expire"]!.GetValue<long>());
        Assert.False(sent.ContainsKey("cltt"));
        Assert.Equal("IA_NA", sent["type"]!.GetValue<string>());

        // A release deletes the lease on the partner.
        var released = lease.Clone();
        released.State = LeaseState.Released;
        var command = HaLeaseUpdates.BulkApply([new LeaseChange(lease, released, LeaseChangeReason.Released)])!;
        Assert.Equal("2001:db8:1::100", command["arguments"]!["deleted-leases"]![0]!["ip-address"]!.GetValue<string>());

        // The partner's own updates (lease commands) and reclamation are never sent back.
        var before = _peer.Received.Count;
        primary.OnLeaseChanged(new LeaseChange(null, lease, LeaseChangeReason.Command));
        primary.OnLeaseChanged(new LeaseChange(lease, null, LeaseChangeReason.Reclaimed));
        Assert.Equal(1, primary.UnsentUpdateCount);
        Assert.Equal(before, _peer.Received.Count);
    }

    [Fact]
    public async Task A_failed_lease_update_marks_the_partner_unavailable()
    {
        var primary = Start(HaMode.HotStandby, "server1");
        _peer.State = "hot-standby";
        await primary.StepAsync();
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.Communication.PartnerState);

        _peer.BulkApplyResult = ControlResult.Error;
        var lease = new Lease6 { Address = Ipv6Address.Parse("2001:db8:1::101"), Duid = [1, 2, 3], ValidLifetime = 100 };
        await primary.SendUpdateAsync(primary.Config.Partner!, [new LeaseChange(null, lease, LeaseChangeReason.Allocated)], CancellationToken.None);
        Assert.Equal("unavailable", primary.Communication.PartnerState);
    }

    [Fact]
    public async Task Status_get_section_has_keas_2_2_shape()
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
        var remote = status["ha-servers"]!["remote"]!.AsObject();
        Assert.Equal(
            ["age", "analyzed-packets", "communication-interrupted", "connecting-clients", "in-touch", "last-scopes", "last-state", "role", "unacked-clients", "unacked-clients-left"],
            remote.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("primary", remote["role"]!.GetValue<string>());
        Assert.Equal("hot-standby", remote["last-state"]!.GetValue<string>());
        Assert.True(remote["in-touch"]!.GetValue<bool>());
        Assert.Equal(10, remote["unacked-clients-left"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_pipeline_drops_a_query_out_of_scope_and_counts_it_as_a_receive_drop()
    {
        using var harness = new PipelineHarness();
        var standby = Start(HaMode.HotStandby, "server2", maxUnacked: 0);
        _peer.State = "hot-standby";
        await standby.StepAsync();
        await standby.StepAsync();
        harness.Processor.QueryFilter = standby;

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
