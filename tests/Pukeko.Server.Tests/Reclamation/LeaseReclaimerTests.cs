using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Statistics;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Reclamation;

public class LeaseReclaimerTests
{
    private static Ipv6Address Bind(PipelineHarness h, Pukeko.Protocol.Duids.Duid? client = null)
    {
        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: client));
        return AddressOf(reply!)!.Address;
    }

    private static LeaseReclaimer Reclaimer(PipelineHarness h) => new(h.Processor.Allocation.Writer, h.Processor.Allocation.Claims, h.Leases, NullLogger.Instance);

    private static long Now(PipelineHarness h) => h.Time.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public void ExpiredLeaseIsMarkedReclaimedAndUncounted()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(4001));

        var reclaimed = Reclaimer(h).Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h));

        Assert.Equal(1, reclaimed);
        Assert.Equal(LeaseState.ExpiredReclaimed, h.Store.Get(address)!.State);
        Assert.Equal(0, h.Statistics.Value("assigned-nas"));
        Assert.Equal(1, h.Statistics.Value("reclaimed-leases"));
        Assert.Equal(1, h.Statistics.Value("subnet[1].reclaimed-leases"));
    }

    [Fact]
    public void ActiveLeaseIsNotReclaimed()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(3999));
        Assert.Equal(0, Reclaimer(h).Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h)));
        Assert.Equal(LeaseState.Default, h.Store.Get(address)!.State);
    }

    [Fact]
    public void ZeroFlushTimerRemovesReclaimedLeasesAtOnce()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(4001));
        Reclaimer(h).Reclaim(ExpirationConfig.Default with { FlushReclaimedTimerWaitTime = 0 }, h.Config.FindSubnet, Now(h));
        Assert.Null(h.Store.Get(address));
    }

    [Fact]
    public void DeclinedAddressIsRecoveredAfterProbation()
    {
        using var h = new PipelineHarness(configure: b => b.DeclineProbationPeriod = 100);
        var address = Bind(h);
        h.Exchange(Create(MessageType.Decline, address: address, serverId: PipelineHarness.ServerDuid));
        Assert.Equal(1, h.Statistics.Value("declined-addresses"));
        var reclaimer = Reclaimer(h);

        h.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, reclaimer.Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h)));
        h.Time.Advance(TimeSpan.FromSeconds(51));
        Assert.Equal(1, reclaimer.Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h)));

        Assert.Null(h.Store.Get(address));
        Assert.Equal(0, h.Statistics.Value("declined-addresses"));
        Assert.Equal(1, h.Statistics.Value("reclaimed-declined-addresses"));
    }

    [Fact]
    public void MaxReclaimLeasesBoundsOneRun()
    {
        using var h = new PipelineHarness();
        for (byte i = 0; i < 5; i++)
        {
            Bind(h, Pukeko.Protocol.Duids.Duid.CreateLl(1, [1, 2, 3, 4, 5, i]));
        }

        h.Time.Advance(TimeSpan.FromSeconds(4001));
        var config = ExpirationConfig.Default with { MaxReclaimLeases = 2 };
        var reclaimer = Reclaimer(h);
        Assert.Equal(2, reclaimer.Reclaim(config, h.Config.FindSubnet, Now(h)));
        Assert.Equal(2, reclaimer.Reclaim(config, h.Config.FindSubnet, Now(h)));
        Assert.Equal(1, reclaimer.Reclaim(config, h.Config.FindSubnet, Now(h)));
        Assert.Equal(0, h.Statistics.Value("assigned-nas"));
    }

    [Fact]
    public void FlushDeletesReclaimedLeasesOnlyAfterHoldTime()
    {
        using var h = new PipelineHarness();
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(4001));
        var reclaimer = Reclaimer(h);
        reclaimer.Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h));
        var config = ExpirationConfig.Default with { HoldReclaimedTime = 600 };

        h.Time.Advance(TimeSpan.FromSeconds(500));
        Assert.Equal(0, reclaimer.Flush(config, Now(h)));
        h.Time.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal(1, reclaimer.Flush(config, Now(h)));
        Assert.Null(h.Store.Get(address));
    }

    [Fact]
    public void ReclaimedAddressIsHandedOutAgain()
    {
        using var h = new PipelineHarness(s => Pukeko.Server.Tests.Pipeline.SolicitRequestTests.Clone(s, pool: ("2001:db8:1::10", "2001:db8:1::10")));
        var address = Bind(h);
        h.Time.Advance(TimeSpan.FromSeconds(4001));
        Reclaimer(h).Reclaim(ExpirationConfig.Default, h.Config.FindSubnet, Now(h));
        var other = Pukeko.Protocol.Duids.Duid.CreateLl(1, [9, 9, 9, 9, 9, 9]);
        Assert.Equal(address, Bind(h, other));
        Assert.Equal(other.ToArray(), h.Store.Get(address)!.Duid);
        Assert.Equal(1, h.Statistics.Value("assigned-nas"));
    }
}
