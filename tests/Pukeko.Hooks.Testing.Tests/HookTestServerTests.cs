using Pukeko.Hooks.Leases;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;

namespace Pukeko.Hooks.Testing.Tests;

public sealed class HookTestServerTests
{
    private const string WithDns = """
        {
          "interfaces-config": { "interfaces": [ "eth0" ] },
          "option-data": [ { "name": "dns-servers", "data": "2001:db8::1" } ],
          "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                         "pools": [ { "pool": "2001:db8:1::10-2001:db8:1::20" } ] } ]
        }
        """;

    [Fact]
    public async Task AnOptionChangedByAPkt6SendCalloutIsInTheReply()
    {
        await using var server = await HookTestServer.CreateBuilder()
            .UseConfiguration(WithDns)
            .AddLibrary(new DnsRewriter(), """{ "dns": "2001:db8::99" }""")
            .StartAsync();
        var client = server.CreateClient();
        client.RequestedOptions.Add(OptionCode.DnsServers);

        var reply = await client.RequestLeasesAsync();

        Assert.NotNull(reply);
        Assert.Equal(MessageType.Reply, reply.Type);
        var dns = reply.Options.Get<AddressListOption>(OptionCode.DnsServers);
        Assert.NotNull(dns);
        Assert.Equal([Ipv6Address.Parse("2001:db8::99")], dns.Addresses);
    }

    [Fact]
    public async Task WithoutTheLibraryTheConfiguredOptionIsSent()
    {
        // The control for the test above: the rewrite is the callout's doing, not the kit's.
        await using var server = await HookTestServer.CreateBuilder().UseConfiguration(WithDns).StartAsync();
        var client = server.CreateClient();
        client.RequestedOptions.Add(OptionCode.DnsServers);

        var reply = await client.RequestLeasesAsync();

        Assert.Equal([Ipv6Address.Parse("2001:db8::1")], reply!.Options.Get<AddressListOption>(OptionCode.DnsServers)!.Addresses);
    }

    [Fact]
    public async Task ADropInPkt6ReceiveGivesNoReplyAndSaysWhy()
    {
        var blocked = new byte[] { 0x00, 0x03, 0x00, 0x01, 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0xcc };
        await using var server = await HookTestServer.StartAsync(new Blocker(blocked));
        var victim = server.CreateClient(Pukeko.Protocol.Duids.Duid.CreateLl(1, [0x02, 0x00, 0x5e, 0xaa, 0xbb, 0xcc]));
        var other = server.CreateClient();

        var exchange = await victim.SendAsync(victim.CreateMessage(MessageType.Solicit));

        Assert.Null(exchange.Reply);
        Assert.True(exchange.Dropped);
        Assert.Contains("DHCP6_HOOK_PACKET_RCVD_SKIP", exchange.DropReason, StringComparison.Ordinal);
        Assert.Contains("Drop", exchange.DropReason, StringComparison.Ordinal);
        Assert.Null(await victim.SolicitAsync());
        Assert.Equal(MessageType.Advertise, (await other.SolicitAsync())?.Type);
        Assert.Equal(1, server.GetStatistic("pkt6-advertise-sent"));
    }

    [Fact]
    public async Task LeasesAreInspectableByAddressAndDuidWithWhatTheCalloutSet()
    {
        var tagger = new LeaseTagger();
        await using var server = await HookTestServer.StartAsync(tagger, """{ "valid-lifetime": 1234 }""");
        var client = server.CreateClient();

        var reply = await client.RequestLeasesAsync();

        Assert.Equal(MessageType.Reply, reply?.Type);
        var address = Assert.Single(client.Addresses);
        Assert.Equal(1234u, address.ValidLifetime);
        Assert.Equal(617u, address.PreferredLifetime);

        var lease = await server.GetLeaseAsync(address.Address);
        Assert.NotNull(lease);
        Assert.Equal(LeaseType.NA, lease.Type);
        Assert.Equal(client.Duid, lease.Duid);
        Assert.Equal(1234u, lease.ValidLifetime);
        Assert.Equal("tagged.example.org", lease.Hostname);
        Assert.Equal(LeaseState.Default, lease.State);
        Assert.Equal(address.Address, Assert.Single(await server.GetLeasesAsync(client.Duid)).Address);
        Assert.Single(await server.GetAllLeasesAsync());
        Assert.Equal(1, server.GetStatistic("subnet[1].assigned-nas"));
        Assert.True(tagger.Selected >= 1);
        Assert.Empty(await server.GetLeasesAsync(server.CreateClient().Duid));
    }

    [Fact]
    public async Task RenewReleaseAndExpiryReachTheirHookPoints()
    {
        var tagger = new LeaseTagger();
        await using (var server = await HookTestServer.StartAsync(tagger, """{ "valid-lifetime": 600 }"""))
        {
            var client = server.CreateClient();
            await client.RequestLeasesAsync();
            var address = client.Addresses[0].Address;

            Assert.Equal(MessageType.Reply, (await client.RenewAsync())?.Type);
            Assert.Equal(1, tagger.Renewed);

            Assert.Equal(MessageType.Reply, (await client.ReleaseAsync())?.Type);
            Assert.Equal(1, tagger.Released);
            Assert.Empty(client.Addresses);
            var released = await server.GetLeaseAsync(address);
            Assert.True(released is null or { State: not LeaseState.Default }, $"still assigned after the release: {released?.State}");

            // A second client's lease runs out while the clock moves on; reclamation calls lease6_expire.
            var second = server.CreateClient();
            await second.RequestLeasesAsync();
            server.AdvanceTime(TimeSpan.FromSeconds(601));
            var before = await server.GetLeaseAsync(second.Addresses[0].Address);
            Assert.Equal(LeaseState.Default, before!.State);

            // Reclaimed: the expired lease, and the released one (kept with lifetime 0 until reclamation).
            var reclaimed = await server.ReclaimExpiredLeasesAsync();
            Assert.InRange(reclaimed, 1, 2);
            Assert.Equal(reclaimed, tagger.Expired);
            var after = await server.GetLeaseAsync(second.Addresses[0].Address);
            Assert.True(after is null or { State: LeaseState.ExpiredReclaimed }, $"not reclaimed: {after?.State}");
        }

        Assert.Equal(1, tagger.Unloaded);
    }

    [Fact]
    public async Task AThrowingCalloutIsReportedAndItsPacketDropped()
    {
        await using var server = await HookTestServer.StartAsync(new Thrower());
        var client = server.CreateClient();

        var exchange = await client.SendAsync(client.CreateMessage(MessageType.Solicit));

        Assert.Null(exchange.Reply);
        var thrown = Assert.Single(exchange.CalloutExceptions);
        Assert.Equal("the callout under test broke", thrown.Message);
        Assert.Contains(exchange.Log, e => e.EventName == "HOOKS_CALLOUT_EXCEPTION" && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Equal(1, server.GetStatistic("hooks.library[1].callout-exceptions"));
        Assert.NotNull(exchange.DropReason);
    }

    [Fact]
    public async Task ALibraryWhoseLoadFailsDoesNotStart()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HookTestServer.StartAsync(new NeedsParameter()));
        Assert.Contains(typeof(NeedsParameter).Assembly.Location, error.Message, StringComparison.Ordinal);

        await using var server = await HookTestServer.StartAsync(new NeedsParameter(), """{ "required": true }""");
        Assert.NotNull(server.ServerId);
    }

    [Fact]
    public async Task ALibraryNotMultiThreadingCompatibleIsRefusedAsByTheDaemonUnlessMultiThreadingIsOff()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HookTestServer.StartAsync(new SingleThreaded()));
        Assert.Contains("multi-threading", error.Message, StringComparison.Ordinal);

        await using var server = await HookTestServer.CreateBuilder()
            .UseConfiguration("""
                { "multi-threading": { "enable-multi-threading": false },
                  "subnet6": [ { "id": 7, "subnet": "2001:db8:7::/64", "interface": "eth1", "pools": [ { "pool": "2001:db8:7::/120" } ] } ] }
                """)
            .AddLibrary(new SingleThreaded(), null)
            .StartAsync();
        Assert.Equal("eth1", server.InterfaceName);
        var client = server.CreateClient();
        await client.RequestLeasesAsync();
        Assert.Equal(7u, (await server.GetLeaseAsync(client.Addresses[0].Address))!.SubnetId);
    }

    [Fact]
    public async Task ABadConfigurationIsRefusedWithItsPath()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            HookTestServer.CreateBuilder().UseConfiguration("""{ "subnet6": [ { "id": 1, "subnet": "not a prefix" } ] }""").StartAsync());
        Assert.Contains("subnet6[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefixDelegationAndRelayedQueriesWork()
    {
        await using var server = await HookTestServer.CreateBuilder()
            .UseConfiguration("""
                { "subnet6": [ { "id": 2, "subnet": "2001:db8:2::/64",
                                 "pd-pools": [ { "prefix": "2001:db8:9000::", "prefix-len": 48, "delegated-len": 60 } ] } ] }
                """)
            .AddLibrary(new LeaseTagger(), """{ "valid-lifetime": 5000 }""")
            .StartAsync();
        var client = server.CreateClient();
        client.RequestAddress = false;
        client.RequestPrefix = true;
        var relay = new RelayLayer(MessageType.RelayForward, 0, Ipv6Address.Parse("2001:db8:2::1"), Ipv6Address.Parse("fe80::1"));
        relay.Options.Add(new RawOption(OptionCode.InterfaceId, "port-7"u8.ToArray()));
        client.Relays.Add(relay);

        var reply = await client.RequestLeasesAsync();

        Assert.Equal(MessageType.Reply, reply?.Type);
        Assert.Single(client.LastExchange!.ReplyRelays);
        Assert.Equal("port-7"u8.ToArray(), ((RawOption)client.LastExchange.ReplyRelays[0].Options.Get(OptionCode.InterfaceId)!).Data);
        var prefix = Assert.Single(client.Prefixes);
        Assert.Equal(60, prefix.PrefixLength);
        var lease = await server.GetLeaseAsync(prefix.Prefix);
        Assert.Equal(LeaseType.PD, lease!.Type);
        Assert.Equal(5000u, lease.ValidLifetime);
    }

    [Fact]
    public async Task AnAsynchronousCalloutParksThePacketAndTheReplyWaitsForIt()
    {
        var committer = new SlowCommitter();
        await using var server = await HookTestServer.StartAsync(committer);
        var client = server.CreateClient();

        var reply = await client.RequestLeasesAsync();

        Assert.Equal(MessageType.Reply, reply?.Type);
        Assert.Equal(1, committer.Committed);
        Assert.Equal(0, server.ParkedCount);
    }

    [Fact]
    public async Task AnExampleLibraryFromTheRepositoryRunsInTheKit()
    {
        await using var server = await HookTestServer.StartAsync(new OptionInjector.OptionInjectorLibrary(), """{ "options": [ { "code": 65001, "data": "01:02:03" } ] }""");
        var reply = await server.CreateClient().RequestLeasesAsync();
        Assert.Equal(new byte[] { 1, 2, 3 }, ((RawOption)reply!.Options.Get(65001)!).Data.ToArray());
    }

    [Fact]
    public async Task ALibrarysControlCommandIsAnsweredAndAnUnknownOneIsNotSupported()
    {
        await using var server = await HookTestServer.StartAsync(new Greeter());

        var answer = await server.SendCommandAsync("greeting-get", new System.Text.Json.Nodes.JsonObject { ["name"] = "pukeko" });
        Assert.Equal(0, answer["result"]!.GetValue<int>());
        Assert.Equal("kia ora pukeko", answer["text"]!.GetValue<string>());

        var unknown = await server.SendCommandAsync("greeting-set");
        Assert.Equal(2, unknown["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task ALibraryListedInTheConfigurationIsLoadedFromItsFileBeforeTheAddedOnes()
    {
        // The daemon's loader: its own load context, the hooks API version check, then Load with its parameters.
        var path = typeof(OptionInjector.OptionInjectorLibrary).Assembly.Location;
        await using var server = await HookTestServer.CreateBuilder()
            .UseConfiguration($$"""
                {
                  "hooks-libraries": [ { "library": "{{path}}", "parameters": { "options": [ { "code": 65002, "data": "0a0b" } ] } } ],
                  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "pools": [ { "pool": "2001:db8:1::/120" } ] } ]
                }
                """)
            .AddLibrary(new DnsRewriter(), null)
            .StartAsync();
        var client = server.CreateClient();

        var reply = await client.InformationRequestAsync();

        Assert.Equal(new byte[] { 0x0a, 0x0b }, ((RawOption)reply!.Options.Get(65002)!).Data);
        Assert.Contains(server.Log, e => e.EventName == "HOOKS_LIBRARY_LOADED" && e.Message.Contains(path, StringComparison.Ordinal));
        // The file library is library 1, the added one library 2: both ran on pkt6_send, in that order.
        Assert.Equal(1, server.GetStatistic("hooks[pkt6_send].library[1].callouts"));
        Assert.Equal(1, server.GetStatistic("hooks[pkt6_send].library[2].callouts"));
    }
}
