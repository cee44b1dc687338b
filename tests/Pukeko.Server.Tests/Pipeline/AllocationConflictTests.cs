using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>
/// Several servers on one lease database (issue 16): another server can take a free address between this server's
/// read and its insert. The insert loses, the client gets the next free address, and the loss is counted in
/// <c>v6-allocation-conflicts</c>.
/// </summary>
public sealed class AllocationConflictTests
{
    private static readonly byte[] OtherClient = [0, 3, 0, 1, 2, 0, 0, 0, 0xee, 1];

    /// <summary>A store shared with an invisible other server, which writes its lease just before each of this server's inserts.</summary>
    private sealed class RacedStore(ILeaseStore inner, int races) : DelegatingLeaseStore(inner)
    {
        private int _racesLeft = races;

        public override ILeaseUnitOfWork BeginWork() => new Work(this, Inner.BeginWork());

        /// <summary>The other server commits its lease on the address this one is about to insert.</summary>
        private async ValueTask RaceAsync(Lease6 lease)
        {
            if (Interlocked.Decrement(ref _racesLeft) < 0)
            {
                return;
            }

            var theirs = lease.Clone();
            theirs.Duid = OtherClient;
            await using var work = Inner.BeginWork();
            Assert.Equal(LeaseWriteResult.Written, await work.InsertAsync(theirs));
            await work.CommitAsync();
        }

        private sealed class Work(RacedStore store, ILeaseUnitOfWork inner) : ILeaseUnitOfWork
        {
            public async ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default)
            {
                await store.RaceAsync(lease);
                return await inner.InsertAsync(lease, cancellationToken);
            }

            public ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default) => inner.UpdateAsync(expected, updated, cancellationToken);

            public ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default) => inner.DeleteAsync(expected, cancellationToken);

            public ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default) => inner.DeleteExpiredReclaimedAsync(olderThan, cancellationToken);

            public ValueTask CommitAsync(CancellationToken cancellationToken = default) => inner.CommitAsync(cancellationToken);

            public ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default) => inner.AbandonAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_insert_that_loses_to_another_server_is_counted_and_the_client_gets_the_next_free_address(int races)
    {
        using var h = new PipelineHarness(wrapStore: store => new RacedStore(store, races));

        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: ClientDuid));

        var leased = AddressOf(reply!)!.Address;
        var taken = Enumerable.Range(0, races).Select(i => Ipv6Address.Parse($"2001:db8:1::{0x10 + i:x}")).ToList();
        Assert.DoesNotContain(leased, taken);
        Assert.Equal(ClientDuid.ToArray(), h.Store.Get(leased)!.Duid);
        Assert.All(taken, address => Assert.Equal(OtherClient, h.Store.Get(address)!.Duid));
        Assert.Equal(races, h.Statistics.Value("v6-allocation-conflicts"));
    }

    [Fact]
    public void Without_another_writer_nothing_is_counted()
    {
        using var h = new PipelineHarness();

        var (reply, _, _) = h.Exchange(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: ClientDuid));

        Assert.NotNull(AddressOf(reply!));
        Assert.True(h.Statistics.Find("v6-allocation-conflicts") is not null, "the statistic exists from the start, as Kea's allocation statistics do");
        Assert.Equal(0, h.Statistics.Value("v6-allocation-conflicts"));
    }
}
