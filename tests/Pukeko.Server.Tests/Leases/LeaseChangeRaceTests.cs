using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Tests.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// Renewals racing reclamation of the same leases: each lease must end either renewed or reclaimed,
/// and the store, the lease file and the reply the client got must agree on which.
/// </summary>
public sealed class LeaseChangeRaceTests
{
    private const int Clients = 120;

    [Fact]
    public async Task ARenewalRacingReclamationEndsRenewedOrReclaimedConsistently()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "leases.csv");
        var config = ConfigTest.LoadOk(ConfigTest.Dhcp6("""
            "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                           "pools": [ { "pool": "2001:db8:1::1000-2001:db8:1::1fff" } ] } ],
            "preferred-lifetime": 3000, "valid-lifetime": 4000
            """));
        MemfileLeaseStore? persistent = null;
        using var h = new PipelineHarness(config, wrapStore: _ =>
        {
            persistent = new MemfileLeaseStore(new MemfileOptions(file, Persist: true), NullLogger.Instance, TimeProvider.System);
            persistent.Open();
            return persistent;
        });
        var store = persistent!;
        var clients = Enumerable.Range(0, Clients).Select(i => Duid.CreateLl(1, [2, 0, 0, 0, (byte)(i >> 8), (byte)i])).ToArray();
        var addresses = new Ipv6Address[Clients];
        for (var i = 0; i < Clients; i++)
        {
            var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: clients[i]));
            addresses[i] = AddressOf(reply!)!.Address;
        }

        h.Time.Advance(TimeSpan.FromSeconds(4001)); // every lease has just expired
        var now = h.Time.GetUtcNow().ToUnixTimeSeconds();
        var reclaimer = new LeaseReclaimer(h.Processor.Allocation.Writer, h.Processor.Allocation.Claims, h.Leases, NullLogger.Instance);
        var expiration = ExpirationConfig.Default with { MaxReclaimLeases = 0, MaxReclaimTime = 0 };

        var renewedInReply = new bool[Clients];
        using var start = new Barrier(3);
        var renewals = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Clients; i += 2)
            {
                renewedInReply[i] = Renew(h, clients[i], addresses[i]);
            }
        });
        var renewalsBackwards = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = Clients - 1; i > 0; i -= 2)
            {
                renewedInReply[i] = Renew(h, clients[i], addresses[i]);
            }
        });
        var reclamation = Task.Run(() =>
        {
            start.SignalAndWait();
            reclaimer.Reclaim(expiration, h.Config.FindSubnet, now);
        });
        await Task.WhenAll(renewals, renewalsBackwards, reclamation);

        // What the file says is what a restarted server would serve.
        store.Dispose();
        using var reloaded = new MemfileLeaseStore(new MemfileOptions(file, Persist: true), NullLogger.Instance, TimeProvider.System);
        reloaded.Open();
        var renewedCount = 0;
        for (var i = 0; i < Clients; i++)
        {
            var inFile = reloaded.Get(addresses[i]);
            var live = inFile is { State: LeaseState.Default } && !inFile.IsExpired(now);
            Assert.True(renewedInReply[i] == live, $"client {i} ({addresses[i]}): reply said renewed={renewedInReply[i]}, file says {inFile?.State} expire={inFile?.Expire} now={now}");
            if (live)
            {
                renewedCount++;
                Assert.Equal(clients[i].ToArray(), inFile!.Duid);
            }
        }

        // Every lease ended one way or the other; a client whose renewal came after reclamation got its
        // reclaimed lease back (Kea's lease affinity), so most are renewed.
        Assert.True(renewedCount > 0);
        Assert.Equal(renewedCount, (int)h.Statistics.Value("assigned-nas"));
    }

    private static bool Renew(PipelineHarness h, Duid client, Ipv6Address address)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Renew, address: address, serverId: PipelineHarness.ServerDuid, clientId: client));
        return reply is not null && AddressOf(reply) is { ValidLifetime: > 0 } given && given.Address == address;
    }
}
