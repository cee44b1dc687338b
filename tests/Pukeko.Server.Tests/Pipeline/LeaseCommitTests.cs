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
    private sealed class GatedCommitStore(ILeaseStore inner) : DelegatingLeaseStore(inner)
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; set; }

        public int Commits;

        public override ILeaseUnitOfWork BeginWork() => new Work(this, Inner.BeginWork());

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
