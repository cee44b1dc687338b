using System.Globalization;
using System.Text.Json.Nodes;
using Pukeko.Server.Control;
using Pukeko.Server.Statistics;

namespace Pukeko.Server.Tests.Control;

public sealed class StatisticCommandTests
{
    [Fact]
    public async Task Kea_pre_initialised_statistics_exist_globally_and_per_subnet_and_pool()
    {
        await using var server = await ControlTestServer.StartAsync();
        var all = ControlAssert.Args(await server.CommandAsync("""{"command": "statistic-get-all"}"""));
        foreach (var name in new[]
        {
            "pkt6-received", "pkt6-solicit-received", "pkt6-advertise-received", "pkt6-request-received", "pkt6-reply-received",
            "pkt6-renew-received", "pkt6-rebind-received", "pkt6-decline-received", "pkt6-release-received", "pkt6-infrequest-received",
            "pkt6-lease-query-received", "pkt6-dhcpv4-query-received", "pkt6-dhcpv4-response-received", "pkt6-addr-reg-inform-received",
            "pkt6-addr-reg-reply-received", "pkt6-unknown-received", "pkt6-sent", "pkt6-advertise-sent", "pkt6-reply-sent",
            "pkt6-lease-query-reply-sent", "pkt6-dhcpv4-response-sent", "pkt6-addr-reg-reply-sent", "pkt6-service-disabled",
            "pkt6-parse-failed", "pkt6-queue-full", "pkt6-duplicate", "pkt6-rfc-violation", "pkt6-admin-filtered", "pkt6-not-for-us",
            "pkt6-processing-failed", "pkt6-limit-exceeded", "pkt6-receive-drop", "v6-allocation-fail", "v6-allocation-fail-shared-network",
            "v6-allocation-fail-subnet", "v6-allocation-fail-no-pools", "v6-allocation-fail-classes", "v6-ia-na-lease-reuses",
            "v6-ia-pd-lease-reuses", "assigned-nas", "declined-addresses", "reclaimed-leases", "cumulative-assigned-nas",
            "subnet[1].total-nas", "subnet[1].assigned-nas", "subnet[1].declined-addresses", "subnet[1].reclaimed-leases",
            "subnet[1].v6-allocation-fail", "subnet[1].v6-ia-na-lease-reuses",
            "subnet[1].pool[0].total-nas", "subnet[1].pool[0].assigned-nas",
        })
        {
            Assert.True(all.ContainsKey(name), $"missing statistic {name}");
        }

        Assert.Equal(16, all["subnet[1].total-nas"]![0]![0]!.GetValue<long>());
    }

    [Fact]
    public async Task Statistic_get_answers_samples_newest_first_with_keas_timestamp_format()
    {
        await using var server = await ControlTestServer.StartAsync();
        server.Solicit();
        server.Server.Statistics.SampleAll();
        server.Solicit();
        var samples = ControlAssert.Args(await server.CommandAsync("""{"command": "statistic-get", "arguments": {"name": "pkt6-received"}}"""))["pkt6-received"]!.AsArray();
        Assert.True(samples.Count >= 2);
        Assert.Equal(2, samples[0]![0]!.GetValue<long>());
        Assert.Equal(1, samples[1]![0]!.GetValue<long>());
        Assert.True(DateTime.TryParseExact(samples[0]![1]!.GetValue<string>(), "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Empty(ControlAssert.Args(await server.CommandAsync("""{"command": "statistic-get", "arguments": {"name": "nope"}}""")));
    }

    [Fact]
    public async Task Reset_and_remove_and_a_removed_counter_comes_back_on_its_next_update()
    {
        await using var server = await ControlTestServer.StartAsync();
        server.Solicit();
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-reset", "arguments": {"name": "pkt6-received"}}"""), ControlResult.Success, "Statistic 'pkt6-received' reset.");
        Assert.Equal(0, server.Server.Statistics.Value("pkt6-received"));
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-remove", "arguments": {"name": "pkt6-received"}}"""), ControlResult.Success, "Statistic 'pkt6-received' removed.");
        Assert.False(server.Server.Statistics.Contains("pkt6-received"));
        server.Solicit();
        Assert.Equal(1, server.Server.Statistics.Value("pkt6-received"));
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-reset", "arguments": {"name": "nope"}}"""), ControlResult.Error, "No 'nope' statistic found");
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-reset-all"}"""), ControlResult.Success, "All statistics reset to neutral values.");
        Assert.Equal(0, server.Server.Statistics.Value("pkt6-received"));
    }

    [Fact]
    public async Task Sample_count_and_age_limits()
    {
        await using var server = await ControlTestServer.StartAsync();
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-sample-count-set", "arguments": {"name": "pkt6-received", "max-samples": 2}}"""), ControlResult.Success);
        var counter = server.Server.Statistics.Get("pkt6-received");
        for (var i = 0; i < 5; i++)
        {
            counter.Increment();
            Thread.Sleep(2);
            counter.RecordSample();
        }

        Assert.Equal([5L, 4L], counter.Samples().Select(s => s.Value));
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-sample-age-set-all", "arguments": {"duration": 3600}}"""), ControlResult.Success);
        Assert.True(counter.Limits.ByAge);
        ControlAssert.Result(await server.CommandAsync("""{"command": "statistic-sample-count-set-all", "arguments": {"max-samples": 0}}"""), ControlResult.Error);
    }

    [Fact]
    public void Counter_history_holds_the_configured_number_of_distinct_values()
    {
        var registry = new StatisticsRegistry();
        registry.SetAllLimits(SampleLimits.Count(3));
        var counter = registry.Get("x");
        for (var i = 0; i < 10; i++)
        {
            counter.Add(1);
            Thread.Sleep(1);
            registry.SampleAll();
        }

        registry.SampleAll(); // unchanged value: no new sample
        Assert.Equal([10L, 9L, 8L], counter.Samples().Select(s => s.Value));
    }

    [Fact]
    public void Configured_default_sample_limits_apply_to_all_statistics()
    {
        Assert.Equal(SampleLimits.Age(TimeSpan.FromSeconds(60)), SampleLimits.FromDefaults(0, 60));
        Assert.Equal(SampleLimits.Count(7), SampleLimits.FromDefaults(7, 60));
    }

    [Fact]
    public async Task Statistic_default_sample_count_from_the_configuration()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["statistic-default-sample-count"] = 4;
        await using var server = await ControlTestServer.StartAsync(dhcp6);
        Assert.Equal(4, server.Server.Statistics.Get("pkt6-received").Limits.MaxSamples);
    }

    [Fact]
    public async Task Global_get_all_leaves_out_subnet_statistics()
    {
        await using var server = await ControlTestServer.StartAsync();
        var global = ControlAssert.Args(await server.CommandAsync("""{"command": "statistic-global-get-all"}"""));
        Assert.DoesNotContain(global, p => p.Key.StartsWith("subnet[", StringComparison.Ordinal));
        Assert.True(global.ContainsKey("pkt6-received"));
    }
}
