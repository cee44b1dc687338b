using Pukeko.Hooks;
using Pukeko.Protocol.Duids;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Leases;
using Pukeko.Server.Pipeline;
using Pukeko.Server.Tests.Hooks;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// A worker writes the next query's leases through the transaction of its last one only when nothing outside the
/// pipeline could hold that transaction's changes, and only through the same store.
/// </summary>
public sealed class LeaseTransactionReuseTests
{
    private static readonly Duid ClientA = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x1a]);
    private static readonly Duid ClientB = Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x1b]);

    [Fact]
    public async Task A_callout_free_request_leaves_its_transaction_reopened_and_empty_for_the_next_query()
    {
        using var h = new PipelineHarness();
        TakeAddress(h, ClientA);

        var ctx = ProcessingContext.Rent(new Dhcp6Packet(new Dhcp6Message(MessageType.Request, 1)), h.Runtime, 1);
        var spare = ctx.TakeSpareLeaseWork(h.Processor.Allocation.Writer);
        ctx.Return();

        Assert.NotNull(spare);
        Assert.Empty(spare.Changes);
        Assert.False(spare.IsCommitted);

        // Reopened, it writes and commits like a new one.
        var lease = new Lease6 { Address = Pukeko.Protocol.Addressing.Ipv6Address.Parse("2001:db8:1::99"), Duid = [1, 2, 3], Iaid = 9, ValidLifetime = 100, SubnetId = 1 };
        Assert.Equal(LeaseWriteResult.Written, await spare.InsertAsync(lease, LeaseChangeReason.Allocated));
        await spare.CommitAsync();
        Assert.True(spare.IsCommitted);
        Assert.NotNull(h.Store.Get(lease.Address));
        await spare.DisposeAsync();
    }

    [Fact]
    public void The_spare_is_not_taken_for_another_store_and_a_second_take_gets_nothing()
    {
        using var h = new PipelineHarness();
        using var other = new PipelineHarness();
        TakeAddress(h, ClientA);

        var ctx = ProcessingContext.Rent(new Dhcp6Packet(new Dhcp6Message(MessageType.Request, 1)), h.Runtime, 1);
        Assert.Null(ctx.TakeSpareLeaseWork(other.Processor.Allocation.Writer));
        Assert.Null(ctx.TakeSpareLeaseWork(h.Processor.Allocation.Writer));
        ctx.Return();
    }

    [Fact]
    public void With_a_callout_registered_no_transaction_is_kept()
    {
        using var h = new PipelineHarness();
        var committed = new List<int>();
        h.On(HookNames.Leases6Committed, handle =>
        {
            committed.Add(1);
            return 0;
        });

        TakeAddress(h, ClientA);
        TakeAddress(h, ClientB);

        Assert.Equal(2, committed.Count);
        var ctx = ProcessingContext.Rent(new Dhcp6Packet(new Dhcp6Message(MessageType.Request, 1)), h.Runtime, 1);
        Assert.Null(ctx.TakeSpareLeaseWork(h.Processor.Allocation.Writer));
        ctx.Return();
    }

    [Fact]
    public void A_reused_transaction_publishes_each_query_s_own_changes()
    {
        using var h = new PipelineHarness();
        var seen = new List<LeaseChange>();
        h.Processor.Allocation.Writer.Subscribe(new Recorder(seen));

        var first = TakeAddress(h, ClientA);
        var second = TakeAddress(h, ClientB);

        Assert.Equal(2, seen.Count);
        Assert.Equal(ClientA.Bytes, seen[0].New!.Duid);
        Assert.Equal(first, seen[0].New!.Address);
        Assert.Equal(ClientB.Bytes, seen[1].New!.Duid);
        Assert.Equal(second, seen[1].New!.Address);
    }

    private sealed class Recorder(List<LeaseChange> seen) : ILeaseChangeObserver
    {
        // Observers keep no lease the pipeline gave them: it fills the same objects for its next query.
        public void OnLeaseChanged(in LeaseChange change) => seen.Add(new LeaseChange(change.Old?.DeepClone(), change.New?.DeepClone(), change.Reason));
    }
}
