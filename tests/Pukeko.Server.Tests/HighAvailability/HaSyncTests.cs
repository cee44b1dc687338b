using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.Control;
using Pukeko.Server.HighAvailability;

namespace Pukeko.Server.Tests.HighAvailability;

/// <summary>
/// The synchronisation in the <c>syncing</c> state against a scripted partner: the exact commands Kea 2.2 sends, and
/// what a partner that answers with errors or cannot be reached leads to.
/// </summary>
public sealed class HaSyncTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly ScriptedPartner _partner;
    private readonly RecordingSink _sink = new();
    private readonly NetworkState _network;
    private HaService? _service;

    public HaSyncTests()
    {
        _network = new NetworkState(_time);
        _partner = new ScriptedPartner(_time);
    }

    /// <summary>A partner in <c>ready</c> holding <see cref="Leases"/>, answering each command as the test says.</summary>
    private sealed class ScriptedPartner(FakeTimeProvider time) : IHaPeerChannel
    {
        public List<JsonObject> Received { get; } = [];

        public List<string> Leases { get; } = [];

        /// <summary>Commands answered with result 1.</summary>
        public HashSet<string> Failing { get; } = [];

        /// <summary>Commands answered with result 2 (an older Kea).</summary>
        public HashSet<string> Unsupported { get; } = [];

        /// <summary>Commands that cannot be delivered.</summary>
        public HashSet<string> Unreachable { get; } = [];

        public Task<JsonObject> SendAsync(HaPeerConfig peer, JsonObject command, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var name = command["command"]!.GetValue<string>();
            if (name != "ha-heartbeat")
            {
                Received.Add((JsonObject)command.DeepClone());
            }

            if (Unreachable.Contains(name))
            {
                throw new HaPeerException("connection refused");
            }

            if (Unsupported.Contains(name))
            {
                return Task.FromResult(ControlAnswer.Create(ControlResult.Unsupported, $"'{name}' command not supported."));
            }

            if (Failing.Contains(name))
            {
                return Task.FromResult(ControlAnswer.Error("failed on purpose"));
            }

            return Task.FromResult(name switch
            {
                "ha-heartbeat" => ControlAnswer.Success("HA peer status returned.", new JsonObject
                {
                    ["state"] = "ready",
                    ["date-time"] = time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture),
                    ["scopes"] = new JsonArray(),
                    ["unsent-update-count"] = 0L,
                }),
                "lease6-get-page" => Page(command["arguments"]!),
                _ => ControlAnswer.Success("done"),
            });
        }

        private JsonObject Page(JsonNode args)
        {
            var from = args["from"]!.GetValue<string>();
            var limit = args["limit"]!.GetValue<int>();
            var start = from == "start" ? 0 : Leases.IndexOf(from) + 1;
            var page = Leases.Skip(start).Take(limit).Select(a => (JsonNode)new JsonObject
            {
                ["ip-address"] = a, ["duid"] = "00:03:00:01:00:00:00:00:00:01", ["iaid"] = 1, ["cltt"] = 1000, ["valid-lft"] = 4000,
                ["preferred-lft"] = 3000, ["subnet-id"] = a.StartsWith("2001:db8:2::", StringComparison.Ordinal) ? 2 : 1, ["type"] = "IA_NA", ["prefix-len"] = 128, ["state"] = 0,
            }).ToArray();
            return page.Length == 0
                ? ControlAnswer.Create(ControlResult.Empty, "0 IPv6 lease(s) found.", new JsonObject { ["leases"] = new JsonArray(), ["count"] = 0 })
                : ControlAnswer.Success($"{page.Length} IPv6 lease(s) found.", new JsonObject { ["leases"] = new JsonArray(page), ["count"] = page.Length });
        }
    }

    private sealed class RecordingSink : IHaLeaseSink
    {
        public List<string> Written { get; } = [];

        public ValueTask<HaSyncedLease> ApplyAsync(JsonObject lease, CancellationToken cancellationToken)
        {
            var address = lease["ip-address"]!.GetValue<string>();
            if (address == "2001:db8:1::bad")
            {
                throw new FormatException("no such subnet");
            }

            Written.Add(address);
            return ValueTask.FromResult(HaSyncedLease.Added);
        }
    }

    /// <summary>A standby (sync-page-limit 2, sync-timeout 1.5 s) that enters syncing on its first heartbeat.</summary>
    private HaService Start(IReadOnlySet<uint>? syncedSubnets = null, int relationshipIndex = 0)
    {
        var config = HaQueryFilterTests.Relationship(HaMode.HotStandby, "server2") with
        {
            HeartbeatDelay = TimeSpan.FromSeconds(1),
            MaxResponseDelay = TimeSpan.FromSeconds(3),
            SyncLeases = true,
            SyncPageLimit = 2,
            SyncTimeout = TimeSpan.FromMilliseconds(1500),
        };
        _service = new HaService(config, _partner, _network, _time, NullLogger.Instance, _sink, relationshipIndex, syncedSubnets);
        _service.StartManually();
        return _service;
    }

    private List<string> Sent() => [.. _partner.Received.Select(c => c.ToJsonString())];

    [Fact]
    public async Task Syncing_disables_the_partner_pages_through_its_leases_and_notifies_it_before_ready()
    {
        _partner.Leases.AddRange(["2001:db8:1::10", "2001:db8:1::11", "2001:db8:1::bad", "2001:db8:1::12"]);
        var standby = Start();
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);

        // Kea 2.2: dhcp-disable before every page (max-period = sync-timeout in whole seconds, the fraction dropped, at least 1), pages of
        // sync-page-limit from "start" then from the last address, until a short page; then ha-sync-complete-notify.
        // Kea 3.x adds origin-id (2000 + the relationship's index) beside 2.2's origin, and names it in the notify.
        const string disable = """{"command":"dhcp-disable","arguments":{"origin-id":2000,"origin":"ha-partner","max-period":1},"service":["dhcp6"]}""";
        Assert.Equal(
        [
            disable,
            """{"command":"lease6-get-page","arguments":{"from":"start","limit":2},"service":["dhcp6"]}""",
            disable,
            """{"command":"lease6-get-page","arguments":{"from":"2001:db8:1::11","limit":2},"service":["dhcp6"]}""",
            disable,
            """{"command":"lease6-get-page","arguments":{"from":"2001:db8:1::12","limit":2},"service":["dhcp6"]}""",
            """{"command":"ha-sync-complete-notify","arguments":{"origin-id":2000,"origin":2000,"server-name":"server2"},"service":["dhcp6"]}""",
        ], Sent());

        // A lease the store refuses is skipped; the others are written.
        Assert.Equal(["2001:db8:1::10", "2001:db8:1::11", "2001:db8:1::12"], _sink.Written);
    }

    [Fact]
    public async Task A_later_relationship_names_its_own_origin_id_in_every_command_that_holds_or_releases_the_partner()
    {
        // Hub and spoke: the second relationship disables its partner as 2001, so the partner's other holds stay.
        var standby = Start(relationshipIndex: 1);
        _partner.Failing.Add("lease6-get-page");
        await standby.StepAsync();
        _partner.Failing.Clear();
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);
        Assert.Equal(
        [
            """{"command":"dhcp-disable","arguments":{"origin-id":2001,"origin":"ha-partner","max-period":1},"service":["dhcp6"]}""",
            """{"command":"lease6-get-page","arguments":{"from":"start","limit":2},"service":["dhcp6"]}""",
            """{"command":"dhcp-enable","arguments":{"origin-id":2001,"origin":"ha-partner"},"service":["dhcp6"]}""",
            """{"command":"dhcp-disable","arguments":{"origin-id":2001,"origin":"ha-partner","max-period":1},"service":["dhcp6"]}""",
            """{"command":"lease6-get-page","arguments":{"from":"start","limit":2},"service":["dhcp6"]}""",
            """{"command":"ha-sync-complete-notify","arguments":{"origin-id":2001,"origin":2001,"server-name":"server2"},"service":["dhcp6"]}""",
        ], Sent());

        // Its own service is held under its local origin, 1000 + 1.
        Assert.Equal(["1001"], _network.DisabledBy);
    }

    [Fact]
    public async Task With_subnets_mapped_to_the_relationship_only_their_leases_are_synchronised()
    {
        // Hub and spoke (Kea 2.6+'s lease sync filter): subnet 2 belongs to another relationship.
        _partner.Leases.AddRange(["2001:db8:1::10", "2001:db8:2::10", "2001:db8:1::11"]);
        var standby = Start(new HashSet<uint> { 1 });
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);
        Assert.Equal(["2001:db8:1::10", "2001:db8:1::11"], _sink.Written);
    }

    [Fact]
    public async Task A_partner_without_ha_sync_complete_notify_is_re_enabled_with_dhcp_enable()
    {
        var standby = Start();
        _partner.Unsupported.Add("ha-sync-complete-notify");
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);
        Assert.Equal(["dhcp-disable", "lease6-get-page", "ha-sync-complete-notify", "dhcp-enable"], _partner.Received.Select(c => c["command"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_failed_ha_sync_complete_notify_fails_the_sync()
    {
        var standby = Start();
        _partner.Failing.Add("ha-sync-complete-notify");
        await standby.StepAsync();

        // Result 1 is a failure: only result 2 (unsupported) falls back to dhcp-enable.
        Assert.Equal("syncing", standby.State);
        Assert.DoesNotContain(Sent(), c => c.Contains("dhcp-enable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partner_refusing_dhcp_disable_keeps_this_server_in_syncing_and_the_sync_is_retried()
    {
        var standby = Start();
        _partner.Failing.Add("dhcp-disable");
        await standby.StepAsync();
        Assert.Equal("syncing", standby.State);
        Assert.False(_network.Enabled);

        // Nothing was disabled, so nothing is re-enabled; nothing was fetched.
        Assert.Equal(["dhcp-disable"], _partner.Received.Select(c => c["command"]!.GetValue<string>()));

        // The next heartbeat tries again; the partner now agrees and the sync completes.
        _partner.Failing.Clear();
        _partner.Received.Clear();
        await standby.StepAsync();
        Assert.Equal("ready", standby.State);
        Assert.Equal(["dhcp-disable", "lease6-get-page", "ha-sync-complete-notify"], _partner.Received.Select(c => c["command"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_page_that_fails_re_enables_the_partner_and_stays_in_syncing(bool unreachable)
    {
        var standby = Start();
        (unreachable ? _partner.Unreachable : _partner.Failing).Add("lease6-get-page");
        await standby.StepAsync();
        Assert.Equal("syncing", standby.State);
        Assert.Equal(["dhcp-disable", "lease6-get-page", "dhcp-enable"], _partner.Received.Select(c => c["command"]!.GetValue<string>()));
        Assert.Equal("""{"command":"dhcp-enable","arguments":{"origin-id":2000,"origin":"ha-partner"},"service":["dhcp6"]}""", _partner.Received[^1].ToJsonString());

        // The partner counts as unavailable until its next heartbeat answer (Kea).
        Assert.Equal("unavailable", standby.Communication.PartnerState);
    }

    [Fact]
    public async Task Ha_sync_without_max_period_sends_dhcp_disable_without_it()
    {
        var standby = Start();
        var partner = standby.Config.Partner!;
        Assert.Null(await standby.SynchronizeAsync(partner, null, CancellationToken.None));
        Assert.Equal("""{"command":"dhcp-disable","arguments":{"origin-id":2000,"origin":"ha-partner"},"service":["dhcp6"]}""", _partner.Received[0].ToJsonString());

        _partner.Unreachable.Add("dhcp-disable");
        Assert.Equal("connection refused", await standby.SynchronizeAsync(partner, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }
}
