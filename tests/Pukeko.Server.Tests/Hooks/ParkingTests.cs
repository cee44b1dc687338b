using Pukeko.Hooks;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;
using SubnetView = Pukeko.Hooks.Subnets.Subnet6;

namespace Pukeko.Server.Tests.Hooks;

/// <summary>PARK on leases6_committed and subnet6_select, explicit and asynchronous (digest §1.7).</summary>
public class ParkingTests
{
    private static Dhcp6Message Request(byte last) =>
        Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: Pukeko.Protocol.Duids.Duid.CreateLl(1, [0, 1, 2, 3, 4, last]));

    [Fact]
    public void ExplicitParkHoldsTheReplyUntilUnpark()
    {
        using var h = new PipelineHarness();
        var parked = new List<object>();
        ParkingLotHandle? lot = null;
        h.On(HookNames.Leases6Committed, handle =>
        {
            var query = handle.GetArgument<Dhcp6Packet>("query6");
            lot = handle.ParkingLot;
            lot!.Reference(query);
            parked.Add(query);
            handle.Status = NextStep.Park;
            return 0;
        });
        Assert.Null(h.Exchange(Request(1)).Datagram);
        Assert.Null(h.Exchange(Request(2)).Datagram);
        Assert.Equal(2, h.Hooks.ParkedCount);
        Assert.Equal(2, h.Store.GetAll().Count); // leases are committed before parking
        Assert.Null(h.NextParkedReply(100));
        foreach (var query in parked)
        {
            Assert.True(lot!.Unpark(query));
        }

        Assert.Equal(MessageType.Reply, h.NextParkedReply()!.Type);
        Assert.Equal(MessageType.Reply, h.NextParkedReply()!.Type);
        Assert.Equal(0, h.Hooks.ParkedCount);
    }

    [Fact]
    public void ParkedPacketLimitDropsWithoutCallingCallouts()
    {
        using var h = new PipelineHarness(configure: b => b.ParkedPacketLimit = 1);
        var calls = 0;
        object? first = null;
        ParkingLotHandle? lot = null;
        h.On(HookNames.Leases6Committed, handle =>
        {
            calls++;
            first = handle.GetArgument<Dhcp6Packet>("query6");
            lot = handle.ParkingLot;
            lot!.Reference(first);
            handle.Status = NextStep.Park;
            return 0;
        });
        Assert.Null(h.Exchange(Request(1)).Datagram);
        Assert.Null(h.Exchange(Request(2)).Datagram);
        Assert.Equal(1, calls);
        Assert.Equal(1, h.Statistics.Value("pkt6-queue-full"));
        Assert.Equal(1, h.Statistics.Value("pkt6-receive-drop"));
        lot!.Unpark(first!);
        Assert.NotNull(h.NextParkedReply());
        Assert.Null(h.Exchange(Request(2)).Datagram);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void DropFromTheLotSendsNothing()
    {
        using var h = new PipelineHarness();
        object? parked = null;
        ParkingLotHandle? lot = null;
        h.On(HookNames.Leases6Committed, handle =>
        {
            parked = handle.GetArgument<Dhcp6Packet>("query6");
            lot = handle.ParkingLot;
            lot!.Reference(parked);
            handle.Status = NextStep.Park;
            return 0;
        });
        h.Exchange(Request(1));
        Assert.True(lot!.Drop(parked!));
        Assert.False(lot.Unpark(parked!));
        Assert.Null(h.NextParkedReply(200));
    }

    [Fact]
    public void AnAsyncCalloutParksWithoutHoldingTheWorkerAndTheReplyFollows()
    {
        using var h = new PipelineHarness();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Leases6Committed, new AsyncCallout(_ => new ValueTask<int>(gate.Task)));
        var after = 0;
        h.On(HookNames.Leases6Committed, _ => { after++; return 0; });
        Assert.Null(h.Exchange(Request(1)).Datagram); // returns at once: parked
        Assert.Equal(1, h.Hooks.ParkedCount);
        Assert.Equal(0, after); // later callouts wait for the async one
        gate.SetResult(0);
        Assert.Equal(MessageType.Reply, h.NextParkedReply()!.Type);
        Assert.Equal(1, after);
        Assert.Equal(0, h.Hooks.ParkedCount);
    }

    [Fact]
    public async Task AnAsyncCalloutThatTimesOutDropsThePacket()
    {
        using var h = new PipelineHarness();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Hooks.LoadInProcess(new SlowLibrary(cancelled), "slow");
        Assert.Null(h.Exchange(Request(1)).Datagram);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5)); // the callout's token was cancelled
        Assert.Null(h.NextParkedReply(500));
        Assert.True(SpinWait.SpinUntil(() => h.Hooks.ParkedCount == 0, 2000));
    }

    public sealed class SlowLibrary(TaskCompletionSource cancelled) : HookLibrary
    {
        public override int Load(LibraryHandle handle)
        {
            handle.AsyncCalloutTimeout = TimeSpan.FromMilliseconds(200);
            return 0;
        }

        public async Task<int> Leases6Committed(CalloutHandle handle)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, handle.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
            }

            return 0;
        }
    }

    [Fact]
    public void AnAsyncCalloutThatFailsDropsThePacket()
    {
        using var h = new PipelineHarness();
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Leases6Committed, new AsyncCallout(async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("endpoint down");
        }));
        h.Exchange(Request(1));
        Assert.Null(h.NextParkedReply(500));
    }

    [Fact]
    public void AnAsyncSubnet6SelectResumesWithTheSubnetItChose()
    {
        using var h = new PipelineHarness(configure: b => b.Subnets.Add(HookTestSupport.SecondSubnet));
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Subnet6Select, new AsyncCallout(async handle =>
        {
            await Task.Delay(50);
            handle.SetArgument("subnet6", handle.GetArgument<IReadOnlyList<SubnetView>>("subnet6collection")[1]);
            return 0;
        }));
        Assert.Null(h.Exchange(Create(MessageType.Solicit)).Datagram);
        var reply = h.NextParkedReply()!;
        Assert.Equal(MessageType.Advertise, reply.Type);
        Assert.NotNull(HookTestSupport.SecondSubnet.FindPool(AddressOf(reply)!.Address));
    }

    [Fact]
    public void ReconfigurationDropsParkedPackets()
    {
        using var h = new PipelineHarness();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Hooks.PreCalloutsLibraryHandle.RegisterCallout(HookNames.Leases6Committed, new AsyncCallout(_ => new ValueTask<int>(gate.Task)));
        h.Exchange(Request(1));
        Assert.Equal(1, h.Hooks.ClearParkingLots());
        gate.SetResult(0);
        Assert.Null(h.NextParkedReply(300));
    }

    [Fact]
    public void ArgumentsAreClearedAfterAParkingHookPoint()
    {
        using var h = new PipelineHarness();
        CalloutHandle? seen = null;
        h.On(HookNames.Leases6Committed, handle => { seen = handle; return 0; });
        Assert.NotNull(h.Exchange(Request(1)).Reply);
        HookTestSupport.AssertReset(seen);
    }
}
