using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Control;
using Pukeko.Server.HighAvailability;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Control;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// A partner that errs, stalls or talks nonsense (issue 11, 7(d)), met over real HTTP (<see cref="HttpHaPeerChannel"/>
/// to a <see cref="ScriptedHaPeer"/>), judged by Kea 2.2's <c>ha_service.cc</c>: <c>asyncSendLeaseUpdate</c>,
/// <c>verifyAsyncResponse</c> and <c>asyncSendHeartbeat</c>, with Kea 2.3.1+'s conflict handling on top. The state
/// machine runs on a fake clock; only the HTTP timeouts are real, and no assertion depends on how long anything took.
/// </summary>
public sealed class HaFaultTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly HttpHaPeerChannel _channel = new();
    private readonly NetworkState _network;
    private readonly ScriptedHaPeer _peer;
    private HaService? _service;

    public HaFaultTests()
    {
        _network = new NetworkState(_time);
        _peer = new ScriptedHaPeer(command => command["command"]!.GetValue<string>() switch
        {
            "ha-heartbeat" => (Heartbeat ?? (() => GoodHeartbeat()))(),
            "lease6-bulk-apply" => BulkApply(command),
            _ => Task.FromResult(ScriptedAnswer.Kea(0, "done")),
        });
    }

    /// <summary>The partner's answer to <c>ha-heartbeat</c>; by default a standby in hot-standby.</summary>
    private Func<Task<ScriptedAnswer>>? Heartbeat { get; set; }

    /// <summary>The partner's answer to <c>lease6-bulk-apply</c>; by default Kea's success.</summary>
    private Func<JsonObject, Task<ScriptedAnswer>> BulkApply { get; set; } = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await _peer.DisposeAsync();
        _channel.Dispose();
    }

    private Task<ScriptedAnswer> GoodHeartbeat(string state = "hot-standby") => Task.FromResult(ScriptedAnswer.Heartbeat(state, _time.GetUtcNow()));

    /// <summary>This server (server1, the primary) with the scripted peer as its partner, stepped into <paramref name="state"/>.</summary>
    private async Task<HaService> StartAsync(HaMode mode = HaMode.HotStandby, string state = "hot-standby", int? maxRejected = null, int delayedUpdatesLimit = 0)
    {
        Heartbeat ??= () => GoodHeartbeat(state);
        var config = HaQueryFilterTests.Relationship(mode, "server1") with
        {
            HeartbeatDelay = TimeSpan.FromSeconds(1),
            MaxResponseDelay = TimeSpan.FromSeconds(3),
            MaxAckDelay = TimeSpan.FromSeconds(1),
            MaxUnackedClients = 0,
            SyncLeases = false,
            MaxRejectedLeaseUpdates = maxRejected,
            DelayedUpdatesLimit = delayedUpdatesLimit,
        };
        config = config with
        {
            Peers = [config.Peers[0], config.Peers[1] with { Url = _peer.Url }],
        };
        _service = new HaService(config, _channel, _network, _time, NullLogger.Instance) { PeerRequestTimeout = Bound };
        _service.StartManually();
        await _service.StepAsync();
        await _service.StepAsync();
        Assert.Equal(state, _service.State);
        return _service;
    }

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (!condition())
        {
            Assert.False(deadline.IsCancellationRequested, "timed out waiting for " + what);
            await Task.Delay(20, CancellationToken.None);
        }
    }

    private int Count(string command) => _peer.Received.Count(c => c == command);

    private static JsonObject FailedLeases(params int[] results) => new()
    {
        ["failed-leases"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
        {
            ["type"] = "IA_NA",
            ["ip-address"] = "2001:db8:1::100",
            ["duid"] = "00:03:00:01:00:11:22:33:44:01",
            ["result"] = r,
            ["error-message"] = r == ControlResult.Conflict ? "lease conflicts with the configuration" : "no subnet with id 1",
        })]),
    };

    private static ScriptedAnswer ErringAnswer(string kind) => kind switch
    {
        "result 1" => ScriptedAnswer.Kea(ControlResult.Error, "unable to open the lease database"),
        "result 2" => ScriptedAnswer.Kea(ControlResult.Unsupported, "'lease6-bulk-apply' command not supported."),
        "result 3 with a failed lease" => ScriptedAnswer.Kea(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", FailedLeases(ControlResult.Error)),
        "result 3 with an error and a conflict" => ScriptedAnswer.Kea(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", FailedLeases(ControlResult.Conflict, ControlResult.Error)),
        "HTTP 500" => new ScriptedAnswer(500, "<html><body>Internal Server Error</body></html>", "text/html"),
        "HTTP 401" => new ScriptedAnswer(401, """{ "result": 401, "text": "Unauthorized" }"""),
        "not JSON" => new ScriptedAnswer(200, "lease database is gone"),
        "an empty list" => new ScriptedAnswer(200, "[]"),
        "a number" => new ScriptedAnswer(200, "42"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("result 1")]
    [InlineData("result 2")]
    [InlineData("result 3 with a failed lease")]
    [InlineData("result 3 with an error and a conflict")]
    [InlineData("HTTP 500")]
    [InlineData("HTTP 401")]
    [InlineData("not JSON")]
    [InlineData("an empty list")]
    [InlineData("a number")]
    public async Task A_lease_update_answered_with_an_error_drops_the_reply_and_counts_the_partner_unavailable(string kind)
    {
        var primary = await StartAsync();
        BulkApply = _ => Task.FromResult(ErringAnswer(kind));

        // Kea: the parked reply is dropped (the client retransmits), the partner is "unavailable" until its next heartbeat.
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 1));
        Assert.Equal(HaStateNames.Unavailable, primary.Communication.PartnerState);
        Assert.Equal(0, primary.ParkedCount);
        Assert.Equal(0, primary.RejectedClients.Count);

        // Not a partner-down by itself: communication is not interrupted (the heartbeats still get through).
        Assert.Equal("hot-standby", primary.State);
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal("hot-standby", primary.State);

        // The partner recovers: the client's retransmission gets its reply.
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(primary, 1));
    }

    [Fact]
    public async Task In_load_balancing_a_failed_update_starts_communication_recovery_and_the_backlog_follows_the_heal()
    {
        var server = await StartAsync(HaMode.LoadBalancing, "load-balancing", delayedUpdatesLimit: 100);
        BulkApply = _ => Task.FromResult(ErringAnswer("HTTP 500"));

        // Kea runs its state machine once the update failed: the partner unavailable, not down, means communication-recovery.
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(server, 1));
        Assert.Equal("communication-recovery", server.State);

        // There the reply goes out at once and the update waits in the backlog.
        var updates = Count("lease6-bulk-apply");
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(server, 2, "2001:db8:1::101"));
        Assert.Equal(updates, Count("lease6-bulk-apply"));
        Assert.Equal(1, server.Backlog.Count);

        // The partner answers its heartbeat and takes updates again: the backlog goes in one bulk apply, then load-balancing.
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));
        await server.StepAsync();
        Assert.Equal(updates + 1, Count("lease6-bulk-apply"));
        Assert.Equal("load-balancing", server.State);
    }

    [Fact]
    public async Task Answers_that_acknowledge_the_update_send_the_reply()
    {
        var primary = await StartAsync();

        // Result 0 even with failed leases (Kea's lease6-bulk-apply when some of the leases were applied).
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed.", FailedLeases(ControlResult.Error)));
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(primary, 1));

        // Result 3 with nothing failed.
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed."));
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(primary, 1));
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal(2, Count("lease6-bulk-apply"));
    }

    [Fact]
    public async Task Conflicts_drop_the_reply_keep_the_partner_and_too_many_rejected_clients_terminate()
    {
        var primary = await StartAsync(maxRejected: 3);
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(ControlResult.Conflict, "lease conflicts with the configuration"));

        // Each conflict drops the reply; the partner answered, so it stays in touch. A client counts once.
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 1));
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 1));
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal(1, primary.RejectedClients.Count);

        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(ControlResult.Empty, "Bulk apply of 0 IPv6 leases completed.", FailedLeases(ControlResult.Conflict)));
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 2, "2001:db8:1::101"));
        Assert.Equal("hot-standby", primary.State);

        // The third distinct client reaches max-rejected-lease-updates: terminated.
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 3, "2001:db8:1::102"));
        Assert.Equal("terminated", primary.State);

        // Terminated serves its own scope without the partner: replies go out, updates are only counted, no heartbeats.
        var updates = Count("lease6-bulk-apply");
        var heartbeats = Count("ha-heartbeat");
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(primary, 4, "2001:db8:1::103"));
        Assert.Equal(1, primary.UnsentUpdateCount);
        await primary.StepAsync();
        Assert.Equal(updates, Count("lease6-bulk-apply"));
        Assert.Equal(heartbeats, Count("ha-heartbeat"));
        Assert.Equal("terminated", primary.State);
        Assert.Equal(["server1"], primary.Filter.ServedScopes);
    }

    [Fact]
    public async Task A_reply_waits_for_a_slow_partner_and_goes_out_when_it_answers_in_time()
    {
        var primary = await StartAsync();
        var answer = new TaskCompletionSource<ScriptedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        BulkApply = _ => answer.Task;

        var pending = HaServiceTests.Allocated(primary, 1).AsTask();
        await WaitForAsync(() => Count("lease6-bulk-apply") == 1, "the update at the partner");

        // Kea parks the reply for as long as the update takes (max-ack-delay is about clients, not this wait).
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, primary.ParkedCount);

        answer.SetResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));
        Assert.Equal(CommittedLeasesOutcome.Send, await pending.WaitAsync(Bound));
        Assert.Equal(0, primary.ParkedCount);
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
    }

    [Fact]
    public async Task A_reply_is_dropped_when_the_partner_answers_after_the_request_timeout_and_the_late_answer_changes_nothing()
    {
        // Kea bounds the parked reply by the update's HTTP request timeout (10 s); shortened here.
        var primary = await StartAsync();
        var late = new TaskCompletionSource<ScriptedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        BulkApply = _ => late.Task;

        primary.PeerRequestTimeout = TimeSpan.FromMilliseconds(300);
        Assert.Equal(CommittedLeasesOutcome.Drop, await HaServiceTests.Allocated(primary, 1).AsTask().WaitAsync(Bound));
        primary.PeerRequestTimeout = Bound;
        Assert.Equal(HaStateNames.Unavailable, primary.Communication.PartnerState);
        Assert.Equal(0, primary.ParkedCount);
        Assert.Equal(0, primary.RejectedClients.Count);

        // The answer comes after all; the next update is not mistaken for it and is acknowledged on its own.
        late.SetResult(ScriptedAnswer.Kea(ControlResult.Conflict, "too late"));
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));
        await primary.StepAsync();
        Assert.Equal(CommittedLeasesOutcome.Send, await HaServiceTests.Allocated(primary, 1).AsTask().WaitAsync(Bound));
        Assert.Equal(0, primary.RejectedClients.Count);
        Assert.Equal("hot-standby", primary.State);
    }

    [Fact]
    public async Task Heartbeats_answered_after_the_request_timeout_fail_and_the_primary_goes_partner_down_after_max_response_delay()
    {
        var primary = await StartAsync();
        var never = new TaskCompletionSource<ScriptedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        Heartbeat = () => never.Task;
        primary.PeerRequestTimeout = TimeSpan.FromMilliseconds(300);

        // A timed-out heartbeat makes the partner unavailable; not interrupted yet, so the primary stays.
        _time.Advance(TimeSpan.FromSeconds(1));
        await primary.StepAsync();
        Assert.Equal(HaStateNames.Unavailable, primary.Communication.PartnerState);
        Assert.False(primary.Communication.IsInterrupted);
        Assert.Equal("hot-standby", primary.State);

        // No successful heartbeat for longer than max-response-delay: a hot-standby primary needs nothing more.
        _time.Advance(TimeSpan.FromSeconds(3));
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);
        never.SetResult(ScriptedAnswer.Heartbeat("hot-standby", _time.GetUtcNow()));
    }

    [Fact]
    public async Task In_load_balancing_a_timed_out_heartbeat_starts_communication_recovery_then_partner_down()
    {
        var server = await StartAsync(HaMode.LoadBalancing, "load-balancing", delayedUpdatesLimit: 100);
        var never = new TaskCompletionSource<ScriptedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        Heartbeat = () => never.Task;
        server.PeerRequestTimeout = TimeSpan.FromMilliseconds(300);

        // Kea 2.2: the partner unavailable but not yet down means communication-recovery at once.
        await server.StepAsync();
        Assert.Equal("communication-recovery", server.State);

        // max-unacked-clients 0: interrupted is enough.
        _time.Advance(TimeSpan.FromSeconds(4));
        await server.StepAsync();
        Assert.Equal("partner-down", server.State);
        never.SetResult(ScriptedAnswer.Heartbeat("load-balancing", _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_heartbeat_slower_than_max_response_delay_but_within_the_timeout_keeps_the_partner()
    {
        var primary = await StartAsync();
        var slow = new TaskCompletionSource<ScriptedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        Heartbeat = () => slow.Task;
        var heartbeats = Count("ha-heartbeat");

        var step = primary.StepAsync();
        await WaitForAsync(() => Count("ha-heartbeat") > heartbeats, "the heartbeat at the partner");

        // While it waits the communication counts as interrupted (queries are analysed), but nothing is decided.
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(primary.Communication.IsInterrupted);
        Assert.Equal("hot-standby", primary.State);

        // The answer arrives: a successful heartbeat, whatever it took (Kea's poke).
        slow.SetResult(ScriptedAnswer.Heartbeat("hot-standby", _time.GetUtcNow()));
        await step.WaitAsync(Bound);
        Assert.False(primary.Communication.IsInterrupted);
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.Equal("hot-standby", primary.State);
    }

    private ScriptedAnswer HeartbeatWith(Action<JsonObject> change, int result = 0)
    {
        var arguments = new JsonObject
        {
            ["state"] = "hot-standby",
            ["date-time"] = _time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture),
            ["scopes"] = new JsonArray(),
            ["unsent-update-count"] = 0,
        };
        change(arguments);
        return ScriptedAnswer.Kea(result, "HA peer status returned.", arguments);
    }

    private ScriptedAnswer MalformedHeartbeat(string kind) => kind switch
    {
        "no state" => HeartbeatWith(a => a.Remove("state")),
        "an unknown state" => HeartbeatWith(a => a["state"] = "sleeping"),
        "a state that is not a string" => HeartbeatWith(a => a["state"] = 5),
        "no date-time" => HeartbeatWith(a => a.Remove("date-time")),
        "an ISO 8601 date-time" => HeartbeatWith(a => a["date-time"] = "2026-12-03T10:00:00Z"),
        "a date-time that is not a date" => HeartbeatWith(a => a["date-time"] = "yesterday"),
        "a numeric date-time" => HeartbeatWith(a => a["date-time"] = 1796292000),
        "a non-integer unsent-update-count" => HeartbeatWith(a => a["unsent-update-count"] = "none"),
        "result 1" => HeartbeatWith(_ => { }, ControlResult.Error),
        "no arguments" => ScriptedAnswer.Kea(0, "HA peer status returned."),
        "arguments that are a list" => new ScriptedAnswer(200, """[ { "result": 0, "arguments": [ "hot-standby" ] } ]"""),
        "HTTP 500" => new ScriptedAnswer(500, "Internal Server Error", "text/plain"),
        "not JSON" => new ScriptedAnswer(200, "{ state: hot-standby"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("no state")]
    [InlineData("an unknown state")]
    [InlineData("a state that is not a string")]
    [InlineData("no date-time")]
    [InlineData("an ISO 8601 date-time")]
    [InlineData("a date-time that is not a date")]
    [InlineData("a numeric date-time")]
    [InlineData("a non-integer unsent-update-count")]
    [InlineData("result 1")]
    [InlineData("no arguments")]
    [InlineData("arguments that are a list")]
    [InlineData("HTTP 500")]
    [InlineData("not JSON")]
    public async Task A_malformed_heartbeat_answer_is_a_communication_failure(string kind)
    {
        var primary = await StartAsync();
        Heartbeat = () => Task.FromResult(MalformedHeartbeat(kind));

        // Kea: partner unavailable, and the time since the last good heartbeat runs on to partner-down.
        _time.Advance(TimeSpan.FromSeconds(1));
        await primary.StepAsync();
        Assert.Equal(HaStateNames.Unavailable, primary.Communication.PartnerState);
        Assert.Equal("hot-standby", primary.State);
        _time.Advance(TimeSpan.FromSeconds(3));
        await primary.StepAsync();
        Assert.Equal("partner-down", primary.State);
    }

    [Theory]
    [InlineData("result 3")]
    [InlineData("no scopes")]
    [InlineData("scopes that are not a list")]
    [InlineData("a scope that is not a string")]
    [InlineData("no unsent-update-count")]
    public async Task What_kea_2_2_tolerates_in_a_heartbeat_answer_keeps_the_partner(string kind)
    {
        Heartbeat = () => Task.FromResult(HeartbeatWith(a => a["scopes"] = new JsonArray("server1")));
        var primary = await StartAsync();
        Heartbeat = () => Task.FromResult(kind switch
        {
            "result 3" => HeartbeatWith(_ => { }, ControlResult.Empty),
            "no scopes" => HeartbeatWith(a => a.Remove("scopes")),
            "scopes that are not a list" => HeartbeatWith(a => a["scopes"] = "server2"),
            "a scope that is not a string" => HeartbeatWith(a => a["scopes"] = new JsonArray("server2", 2)),
            _ => HeartbeatWith(a => a.Remove("unsent-update-count")),
        });

        _time.Advance(TimeSpan.FromSeconds(4));
        await primary.StepAsync();
        Assert.Equal("hot-standby", primary.Communication.PartnerState);
        Assert.False(primary.Communication.IsInterrupted);
        Assert.Equal("hot-standby", primary.State);

        // Scopes Kea cannot read leave the last ones it could.
        var scopes = primary.Status()["ha-servers"]!["remote"]!["last-scopes"]!.ToJsonString();
        Assert.Equal(kind == "result 3" || kind.Contains("unsent", StringComparison.Ordinal) ? "[]" : """["server1"]""", scopes);
    }

    [Fact]
    public async Task A_server_whose_partner_answers_lease_updates_with_http_500_sends_no_reply_until_the_partner_recovers()
    {
        // A real server as primary; the scripted peer plays the standby on the peer url (a long max-response-delay:
        // a late heartbeat on a busy machine must not make it partner-down, which would send replies unacknowledged).
        Heartbeat = () => Task.FromResult(ScriptedAnswer.Heartbeat("hot-standby", DateTimeOffset.UtcNow));
        BulkApply = _ => Task.FromResult(ErringAnswer("HTTP 500"));
        var own = LoopbackPorts.Free();
        await using var primary = await ControlTestServer.StartAsync(HaPairTests.Dhcp6("server1", own, own, _peer.Url.Port, maxResponseDelay: 60000));
        await HaPairTests.WaitAsync(async () => await HaPairTests.StateAsync(primary) == "hot-standby", "hot-standby on the primary");

        var client = new Duid(Convert.FromHexString("000300010011223344f1"));
        Assert.Null(HaPairTests.SolicitRapidCommit(primary, client));
        Assert.Single(await HaPairTests.AddressesAsync(primary));
        var status = (await primary.CommandAsync("""{"command": "status-get"}"""))["arguments"]!["high-availability"]![0]!;
        Assert.Equal("hot-standby", status["ha-servers"]!["local"]!["state"]!.GetValue<string>());

        // The standby is fixed: the client's next try gets the same address, acknowledged.
        BulkApply = _ => Task.FromResult(ScriptedAnswer.Kea(0, "Bulk apply of 1 IPv6 leases completed."));
        var reply = HaPairTests.SolicitRapidCommit(primary, client);
        Assert.Equal(MessageType.Reply, reply!.Type);
        Assert.Equal((await HaPairTests.AddressesAsync(primary)).Single(), ClientMessages.AddressOf(reply)!.Address.ToString());
    }
}
