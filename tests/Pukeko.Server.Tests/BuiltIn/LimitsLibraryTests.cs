using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.Limits;
using Pukeko.Server.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.BuiltIn;

/// <summary>The built-in limits library (<c>libdhcp_limits.so</c>): rate limits from the user contexts of classes and subnets.</summary>
public sealed class LimitsLibraryTests
{
    private const string Library = """ "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_limits.so" } ], """;
    private static readonly Duid Other = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x99]);

    /// <summary>A harness with the library loaded and configured, counting into the harness's statistics on its fake clock.</summary>
    private static PipelineHarness Harness(string classes, string subnetContext = "")
    {
        var h = PipelineHarness.FromDhcp6($$"""
            {{Library}}
            "client-classes": {{classes}},
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", {{subnetContext}}
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ] } ]
            """);
        h.Processor.Hooks = new HooksManager(statistics: h.Statistics) { Time = h.Time };
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        Assert.Null(h.Hooks.CallSrvConfigured(h.Config));
        return h;
    }

    private static bool Served(PipelineHarness h, Duid? client = null) => h.Exchange(Create(MessageType.Solicit, clientId: client)).Reply is not null;

    [Theory]
    [InlineData("10 packets per second", 10u, 1)]
    [InlineData("1 packet per minute", 1u, 60)]
    [InlineData("0 packets per hour", 0u, 3600)]
    [InlineData("5 packets per day", 5u, 86400)]
    [InlineData("5 packets per week", 5u, 7 * 86400)]
    [InlineData("5 packets per month", 5u, 30 * 86400)]
    [InlineData("4294967295 packets per year", uint.MaxValue, 365 * 86400)]
    public void A_rate_limit_is_read_as_Kea_reads_it(string text, uint allowed, int seconds)
    {
        var rate = RateLimit.TryParse(text, out var error);
        Assert.Null(error);
        Assert.Equal(allowed, rate!.AllowedPackets);
        Assert.Equal(TimeSpan.FromSeconds(seconds), rate.Unit);
    }

    [Theory]
    [InlineData("10 packets every second", "expected rate limit of format")]
    [InlineData("-1 packets per second", "negative limit -1")]
    [InlineData("4294967296 packets per second", "expected limit in range [0, 4294967295]")]
    [InlineData("10 packets per fortnight", "invalid time period fortnight")]
    [InlineData("ten packets per second", "expected a number of packets")]
    public void A_wrong_rate_limit_is_refused_with_the_reason(string text, string fragment)
    {
        Assert.Null(RateLimit.TryParse(text, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(""" "rate-limit": "10 packets per fortnight" """, "Dhcp6/client-classes[1]/user-context/limits/rate-limit", "invalid time period")]
    [InlineData(""" "rate-limit": 10 """, "Dhcp6/client-classes[1]/user-context/limits/rate-limit", "must be a string")]
    [InlineData(""" "address-limit": 10 """, "Dhcp6/client-classes[1]/user-context/limits/address-limit", "of a client class is not supported")]
    [InlineData(""" "prefix-limit": 10 """, "Dhcp6/client-classes[1]/user-context/limits/prefix-limit", "of a client class is not supported")]
    public void A_wrong_class_limit_fails_the_configuration_with_its_path(string limits, string path, string fragment) =>
        LoadFails(Dhcp6($$"""
            {{Library}}
            "client-classes": [ { "name": "a" }, { "name": "b", "user-context": { "limits": { {{limits}} } } } ],
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ] } ]
            """), path, fragment);

    [Fact]
    public void A_wrong_subnet_limit_in_a_shared_network_fails_the_configuration_with_its_path() =>
        LoadFails(Dhcp6($$"""
            {{Library}}
            "shared-networks": [ { "name": "n", "subnet6": [ { "id": 7, "subnet": "2001:db8:7::/64",
                "user-context": { "limits": { "rate-limit": "-3 packets per second" } } } ] } ]
            """), "Dhcp6/shared-networks[0]/subnet6[0]/user-context/limits/rate-limit", "negative limit -3");

    [Theory]
    [InlineData(""" "address-limit": -1 """, "address-limit", "negative limit -1")]
    [InlineData(""" "prefix-limit": 4294967296 """, "prefix-limit", "expected limit in range [0, 4294967295]")]
    [InlineData(""" "address-limit": "10" """, "address-limit", "must be an integer")]
    public void A_wrong_subnet_lease_limit_fails_the_configuration_with_its_path(string limits, string key, string fragment) =>
        LoadFails(Dhcp6($$"""
            {{Library}}
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "user-context": { "limits": { {{limits}} } } } ]
            """), $"Dhcp6/subnet6[0]/user-context/limits/{key}", fragment);

    [Fact]
    public void The_library_is_built_in_and_loads_without_a_warning()
    {
        Assert.Equal(KeaNativeLibraryKind.BuiltIn, KeaNativeLibraries.Find("/opt/kea/lib/hooks/libdhcp_limits.so")!.Kind);
        var result = Load(Dhcp6($$"""
            {{Library}}
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "user-context": { "limits": { "rate-limit": "1 packet per second", "address-limit": 5 } } } ]
            """));
        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        using var h = PipelineHarness.FromDhcp6(Library + """ "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0" } ] """);
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        Assert.IsType<LimitsLibrary>(Assert.Single(h.Hooks.LoadedEntries));
    }

    [Fact]
    public void The_library_takes_no_parameters() =>
        LoadFails(Dhcp6("""
            "hooks-libraries": [ { "library": "libdhcp_limits.so", "parameters": { "rate": 1 } } ]
            """), "Dhcp6/hooks-libraries[0]/parameters", "expected no parameters for libdhcp_limits.so");

    [Fact]
    public void Limits_in_user_contexts_are_not_checked_without_the_library() =>
        LoadOk(Dhcp6("""
            "client-classes": [ { "name": "b", "user-context": { "limits": { "rate-limit": "whenever" } } } ]
            """));

    [Fact]
    public void A_class_over_its_rate_is_dropped_and_counted_until_the_window_moves_on()
    {
        using var h = Harness("""[ { "name": "everyone", "test": "'a' == 'a'", "user-context": { "limits": { "rate-limit": "2 packets per second" } } } ]""");
        Assert.True(Served(h));
        Assert.True(Served(h));
        Assert.False(Served(h));
        Assert.False(Served(h));
        Assert.Equal(2, h.Statistics.Value(LimitsLibrary.LimitExceeded));
        Assert.Equal(2, h.Statistics.Value("pkt6-receive-drop"));

        // Exactly one unit after the first packet it still counts (Kea expires only what is older).
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(Served(h));
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Served(h));
        Assert.True(Served(h));
        Assert.False(Served(h));
    }

    [Fact]
    public void A_client_outside_the_limited_class_is_served_while_the_class_is_over_its_rate()
    {
        var duid = Convert.ToHexString(ClientDuid.Bytes.ToArray());
        using var h = Harness($$"""[ { "name": "flooder", "test": "option[1].hex == 0x{{duid}}", "user-context": { "limits": { "rate-limit": "1 packet per minute" } } } ]""");
        Assert.True(Served(h));
        Assert.False(Served(h));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(Served(h, Other));
        }

        Assert.Equal(1, h.Statistics.Value(LimitsLibrary.LimitExceeded));
    }

    [Fact]
    public void A_template_class_limits_each_client_on_its_own()
    {
        using var h = Harness("""[ { "name": "per-client", "template-test": "option[1].hex", "user-context": { "limits": { "rate-limit": "1 packet per minute" } } } ]""");
        Assert.True(Served(h));
        Assert.False(Served(h));
        Assert.True(Served(h, Other));
        Assert.False(Served(h, Other));
        Assert.Equal(2, h.Statistics.Value(LimitsLibrary.LimitExceeded));
    }

    [Fact]
    public void A_template_class_on_the_sender_limits_each_relay_on_its_own_whatever_its_clients()
    {
        using var h = Harness("""[ { "name": "per-relay", "template-test": "pkt.src", "user-context": { "limits": { "rate-limit": "2 packets per minute" } } } ]""");
        var flooding = Ipv6Address.Parse("2001:db8:9::1");
        var quiet = Ipv6Address.Parse("2001:db8:9::2");
        bool Relayed(Ipv6Address relay, byte client)
        {
            var layer = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:1::1"), PipelineHarness.ClientLinkLocal);
            return h.Exchange(Create(MessageType.Solicit, clientId: Duid.CreateLl(1, [0x02, 0, 0, 0, 1, client])), [layer], relay).Reply is not null;
        }

        Assert.True(Relayed(flooding, 1));
        Assert.True(Relayed(flooding, 2));
        for (byte client = 3; client < 50; client++)
        {
            Assert.False(Relayed(flooding, client));
        }

        Assert.True(Relayed(quiet, 50));
        Assert.Equal(47, h.Statistics.Value(LimitsLibrary.LimitExceeded));
    }

    [Fact]
    public void Windows_of_clients_gone_quiet_are_forgotten_so_a_flood_of_made_up_clients_cannot_grow_them_without_end()
    {
        using var h = Harness("""[ { "name": "per-client", "template-test": "option[1].hex", "user-context": { "limits": { "rate-limit": "1 packet per second" } } } ]""");
        var library = Assert.IsType<LimitsLibrary>(Assert.Single(h.Hooks.LoadedEntries));
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 1500; i++)
            {
                Assert.True(Served(h, Duid.CreateLl(1, [0x02, (byte)round, 0, 0, (byte)(i >> 8), (byte)i])));
            }

            h.Time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.InRange(library.ClassWindowCount, 1500, 3100);

        // A client still inside its window keeps it: its second packet is dropped.
        var last = Duid.CreateLl(1, [0x02, 9, 0, 0, 0, 0]);
        Assert.True(Served(h, last));
        Assert.False(Served(h, last));
    }

    [Fact]
    public void A_subnet_address_limit_stops_new_leases_at_the_limit_and_renewals_go_on()
    {
        using var h = Harness("[]", """ "user-context": { "limits": { "address-limit": 2 } }, """);
        Dhcp6Message Request(Duid client) => Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client);
        var first = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 1]);
        var second = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 2]);
        var third = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 3]);
        Assert.NotNull(AddressOf(h.Exchange(Request(first)).Reply!));
        Assert.NotNull(AddressOf(h.Exchange(Request(second)).Reply!));
        Assert.Equal(2, h.Statistics.Value("subnet[1].assigned-nas"));

        // The third client is told there is no address, in the Advertise and in the Reply.
        var advertise = h.Exchange(Create(MessageType.Solicit, clientId: third)).Reply!;
        Assert.Null(AddressOf(advertise));
        Assert.Equal(StatusCode.NoAddrsAvail, StatusOf(Ia(advertise).Options));
        Assert.Null(AddressOf(h.Exchange(Request(third)).Reply!));
        Assert.Equal(2, h.Store.Count);

        // A client that has its lease keeps it: renewals are not limited.
        var held = AddressOf(h.Exchange(Request(first)).Reply!)!.Address;
        var renew = Create(MessageType.Renew, address: held, serverId: PipelineHarness.ServerDuid, clientId: first);
        Assert.Equal(held, AddressOf(h.Exchange(renew).Reply!)!.Address);

        // Once one is released there is room for the third.
        h.Exchange(Create(MessageType.Release, address: held, serverId: PipelineHarness.ServerDuid, clientId: first));
        Assert.NotNull(AddressOf(h.Exchange(Request(third)).Reply!));
    }

    [Fact]
    public void A_subnet_prefix_limit_of_zero_delegates_nothing_and_leaves_addresses_alone()
    {
        using var h = PipelineHarness.FromDhcp6($$"""
            {{Library}}
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/48", "interface": "eth0", "user-context": { "limits": { "prefix-limit": 0 } },
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ],
                "pd-pools": [ { "prefix": "2001:db8:1:8000::", "prefix-len": 49, "delegated-len": 64 } ] } ]
            """);
        h.Processor.Hooks = new HooksManager(statistics: h.Statistics) { Time = h.Time };
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        Assert.Null(h.Hooks.CallSrvConfigured(h.Config));
        var query = Create(MessageType.Request, serverId: PipelineHarness.ServerDuid);
        query.Options.Add(new IaPdOption(7, 0, 0));
        var reply = h.Exchange(query).Reply!;
        Assert.NotNull(AddressOf(reply));
        var pd = reply.Options.Get<IaPdOption>(OptionCode.IaPd)!;
        Assert.Null(pd.Options.Get<IaPrefixOption>(OptionCode.IaPrefix));
        Assert.Equal(StatusCode.NoPrefixAvail, StatusOf(pd.Options));
    }

    [Fact]
    public void A_subnet_over_its_rate_drops_packets_after_selection()
    {
        using var h = Harness("[]", """ "user-context": { "limits": { "rate-limit": "3 packets per minute" } }, """);
        Assert.True(Served(h));
        Assert.True(Served(h, Other));
        Assert.True(Served(h));
        Assert.False(Served(h, Other));
        Assert.Equal(1, h.Statistics.Value(LimitsLibrary.LimitExceeded));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
        h.Time.Advance(TimeSpan.FromMinutes(1.01));
        Assert.True(Served(h, Other));
    }

    [Fact]
    public void A_subnet_without_an_id_is_limited_under_the_id_it_is_given()
    {
        using var h = PipelineHarness.FromDhcp6($$"""
            {{Library}}
            "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0", "user-context": { "limits": { "rate-limit": "0 packets per second" } },
                "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::ff" } ] } ]
            """);
        h.Processor.Hooks = new HooksManager(statistics: h.Statistics) { Time = h.Time };
        h.Hooks.Load(h.Config.HooksLibraries, multiThreading: true);
        Assert.Null(h.Hooks.CallSrvConfigured(h.Config));
        Assert.False(Served(h));
        Assert.Equal(1, h.Statistics.Value(LimitsLibrary.LimitExceeded));
    }

    [Fact]
    public void A_new_configuration_starts_every_window_afresh()
    {
        using var h = Harness("""[ { "name": "everyone", "test": "'a' == 'a'", "user-context": { "limits": { "rate-limit": "1 packet per hour" } } } ]""");
        Assert.True(Served(h));
        Assert.False(Served(h));
        Assert.Null(h.Hooks.CallSrvConfigured(h.Config));
        Assert.True(Served(h));
    }
}
