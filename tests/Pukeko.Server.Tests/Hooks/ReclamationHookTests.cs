using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Leases;
using Pukeko.Server.Reclamation;
using Pukeko.Server.Tests.Support;
using Lease6View = Pukeko.Hooks.Leases.Lease6;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>lease6_expire and lease6_recover during reclamation.</summary>
public class ReclamationHookTests
{
    private static readonly Ipv6Address Address = Ipv6Address.Parse("2001:db8:1::10");

    private static (PipelineHarness H, LeaseReclaimer Reclaimer, HooksManager Hooks) Setup(LeaseState state)
    {
        var h = new PipelineHarness();
        h.Store.Add(new Lease6 { Address = Address, Duid = [1, 2, 3], Iaid = 1, ValidLifetime = 100, PreferredLifetime = 50, Cltt = 1000, SubnetId = 1, State = state });
        h.Leases.Recount(h.Config.Subnets, h.Store, 0);
        var reclaimer = new LeaseReclaimer(h.Processor.Allocation.Writer, h.Processor.Allocation.Claims, h.Leases, NullLogger.Instance) { Hooks = h.Hooks };
        return (h, reclaimer, h.Hooks);
    }

    private static int Reclaim(PipelineHarness h, LeaseReclaimer reclaimer, ExpirationConfig? config = null) =>
        reclaimer.Reclaim(config ?? ExpirationConfig.Default, h.Config.FindSubnet, 10_000);

    [Fact]
    public void Lease6ExpireSeesTheLeaseAndTheRemoveFlag()
    {
        var (h, reclaimer, hooks) = Setup(LeaseState.Default);
        using var _ = h;
        var record = new CalloutRecord();
        bool? remove = null;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Expire, record.Record(HookNames.Lease6Expire, handle =>
        {
            remove = handle.GetArgument<bool>("remove_lease");
            Assert.Equal(Address, handle.GetArgument<Lease6View>("lease6").Address);
        }));
        Assert.Equal(1, Reclaim(h, reclaimer, ExpirationConfig.Default with { FlushReclaimedTimerWaitTime = 0 }));
        Assert.True(remove);
        Assert.Equal(["lease6", "remove_lease"], record.ArgumentNames.Single());
        Assert.Null(h.Store.Get(Address));
    }

    [Fact]
    public void Lease6ExpireSkipLeavesTheLeaseToTheCallout()
    {
        var (h, reclaimer, hooks) = Setup(LeaseState.Default);
        using var _ = h;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Expire, handle => { handle.Status = NextStep.Skip; return 0; });
        Assert.Equal(1, Reclaim(h, reclaimer));
        Assert.Equal(LeaseState.Default, h.Store.Get(Address)!.State);
        Assert.Equal(1, h.Statistics.Value("reclaimed-leases"));
    }

    [Fact]
    public void Lease6RecoverSeesTheDeclinedLeaseAndItIsFreed()
    {
        var (h, reclaimer, hooks) = Setup(LeaseState.Declined);
        using var _ = h;
        var record = new CalloutRecord();
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Recover, record.Record(HookNames.Lease6Recover));
        Reclaim(h, reclaimer);
        Assert.Equal(["lease6"], record.ArgumentNames.Single());
        Assert.Null(h.Store.Get(Address));
        Assert.Equal(1, h.Statistics.Value("reclaimed-declined-addresses"));
    }

    [Fact]
    public void Lease6RecoverSkipKeepsTheAddressOutOfUse()
    {
        var (h, reclaimer, hooks) = Setup(LeaseState.Declined);
        using var _ = h;
        hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Lease6Recover, handle => { handle.Status = NextStep.Skip; return 0; });
        Reclaim(h, reclaimer);
        Assert.Equal(LeaseState.ExpiredReclaimed, h.Store.Get(Address)!.State);
        Assert.Equal(0, h.Statistics.Value("reclaimed-declined-addresses"));
        Assert.Equal(1, h.Statistics.Value("reclaimed-leases"));

        // The gauges follow the lease's state: it is no longer declined. (Kea leaves declined-addresses
        // as it was here, until its next recount drops it.)
        Assert.Equal(0, h.Statistics.Value("declined-addresses"));
    }
}
