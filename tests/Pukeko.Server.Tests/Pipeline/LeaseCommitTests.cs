using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Support.ClientMessages;

namespace Pukeko.Server.Tests.Pipeline;

/// <summary>A lease acknowledged to a client is committed before the reply leaves (issue 9 part 2).</summary>
public sealed class LeaseCommitTests
{
    /// <summary>A store whose commits wait for the test (a slow database) or fail (a broken one).</summary>
    private sealed class GatedCommitStore(ILeaseStore inner) : ILeaseStore
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; set; }

        public int Commits;

        public ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default) => inner.GetAsync(address, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetByClientAsync(ReadOnlyMemory<byte> duid, uint iaid, LeaseType type, CancellationToken cancellationToken = default) => inner.GetByClientAsync(duid, iaid, type, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetByDuidAsync(ReadOnlyMemory<byte> duid, CancellationToken cancellationToken = default) => inner.GetByDuidAsync(duid, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetByHardwareAddressAsync(ReadOnlyMemory<byte> hardwareAddress, CancellationToken cancellationToken = default) => inner.GetByHardwareAddressAsync(hardwareAddress, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetByHostnameAsync(string hostname, CancellationToken cancellationToken = default) => inner.GetByHostnameAsync(hostname, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetBySubnetAsync(uint subnetId, CancellationToken cancellationToken = default) => inner.GetBySubnetAsync(subnetId, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetByStateAsync(LeaseState state, CancellationToken cancellationToken = default) => inner.GetByStateAsync(state, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetPageAsync(Ipv6Address? after, int limit, CancellationToken cancellationToken = default) => inner.GetPageAsync(after, limit, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetExpiredAsync(long now, int max, CancellationToken cancellationToken = default) => inner.GetExpiredAsync(now, max, cancellationToken);

        public ValueTask<IReadOnlyList<Lease6>> GetAllAsync(CancellationToken cancellationToken = default) => inner.GetAllAsync(cancellationToken);

        public ValueTask<IReadOnlyList<LeaseCount>> CountAsync(uint? subnetId, CancellationToken cancellationToken = default) => inner.CountAsync(subnetId, cancellationToken);

        public ValueTask<IReadOnlyList<LeaseCount>> CountRangeAsync(Ipv6Address first, Ipv6Address last, CancellationToken cancellationToken = default) => inner.CountRangeAsync(first, last, cancellationToken);

        public ILeaseUnitOfWork BeginWork() => new Work(this, inner.BeginWork());

        public void Dispose()
        {
        }

        private sealed class Work(GatedCommitStore store, ILeaseUnitOfWork inner) : ILeaseUnitOfWork
        {
            public ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default) => inner.InsertAsync(lease, cancellationToken);

            public ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default) => inner.UpdateAsync(expected, updated, cancellationToken);

            public ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default) => inner.DeleteAsync(expected, cancellationToken);

            public ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default) => inner.DeleteExpiredReclaimedAsync(olderThan, cancellationToken);

            public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
            {
                await store.Gate.Task;
                if (store.Failure is { } failure)
                {
                    throw failure;
                }

                Interlocked.Increment(ref store.Commits);
                await inner.CommitAsync(cancellationToken);
            }

            public ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_reply_to_a_request_waits_for_the_commit_of_its_lease()
    {
        GatedCommitStore? gated = null;
        using var h = new PipelineHarness(wrapStore: store => gated = new GatedCommitStore(store));
        var pending = h.SendAsync(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: ClientDuid));

        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        Assert.Equal(1, h.Store.Count); // written (the address is taken) but not yet committed
        Assert.Equal(0, gated!.Commits);

        gated.Gate.SetResult();
        var reply = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(AddressOf(reply!));
        Assert.Equal(1, gated.Commits);
    }

    [Fact]
    public async Task A_solicit_writes_nothing_so_it_commits_nothing()
    {
        GatedCommitStore? gated = null;
        using var h = new PipelineHarness(wrapStore: store => gated = new GatedCommitStore(store));
        var reply = await h.SendAsync(Create(MessageType.Solicit, clientId: ClientDuid)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(AddressOf(reply!));
        Assert.Equal(0, gated!.Commits);
    }

    [Fact]
    public async Task When_the_commit_fails_no_reply_leaves_and_the_failure_is_counted()
    {
        GatedCommitStore? gated = null;
        using var h = new PipelineHarness(wrapStore: store => gated = new GatedCommitStore(store));
        gated!.Failure = new IOException("disk full");
        gated.Gate.SetResult();

        var reply = await h.SendAsync(Create(MessageType.Request, serverId: PipelineHarness.ServerDuid, clientId: ClientDuid)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(reply);
        Assert.Equal(1, h.Statistics.Value("pkt6-processing-failed"));
        Assert.Equal(0, h.Statistics.Value("pkt6-reply-sent"));
    }
}
