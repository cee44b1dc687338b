using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>The unit-of-work half of the lease store contract, on memfile: enqueue at the write, durable at the commit.</summary>
public sealed class LeaseUnitOfWorkTests
{
    private sealed class Recorder : ILeaseChangeObserver
    {
        public List<LeaseChange> Changes { get; } = [];

        public void OnLeaseChanged(in LeaseChange change) => Changes.Add(change);
    }

    private static MemfileLeaseStore Open(string path)
    {
        var store = new MemfileLeaseStore(new MemfileOptions(path, Persist: true), NullLogger.Instance, new FakeTimeProvider());
        store.Open();
        return store;
    }

    private static string[] Rows(string path)
    {
        // Read without disturbing the open store (it shares the file for reading).
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
    }

    [Fact]
    public async Task A_write_is_seen_at_once_but_reaches_the_file_only_when_its_unit_commits()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "leases.csv");
        using var store = Open(path);
        var lease = LeaseSamples.Na("2001:db8::1");

        await using var work = store.BeginWork();
        Assert.Equal(LeaseWriteResult.Written, await work.InsertAsync(lease));

        // Taken at once: a second server or worker cannot have it.
        Assert.NotNull(await store.GetAsync(lease.Address));
        Assert.Equal(LeaseWriteResult.Conflict, await store.BeginWork().InsertAsync(lease.Clone()));
        Assert.Empty(Rows(path));

        await work.CommitAsync();
        Assert.Single(Rows(path), r => r.StartsWith("2001:db8::1,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_commit_writes_the_pending_rows_of_earlier_units_too_in_the_order_the_changes_were_made()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "leases.csv");
        using var store = Open(path);
        var lease = LeaseSamples.Na("2001:db8::1");

        var first = store.BeginWork();
        await first.InsertAsync(lease);
        var renewed = lease.Clone();
        renewed.ValidLifetime = 9999;
        var second = store.BeginWork();
        Assert.Equal(LeaseWriteResult.Written, await second.UpdateAsync(lease, renewed));

        // The later unit commits first: both rows go, the insert before the update, so a reload ends renewed.
        await second.CommitAsync();
        var rows = Rows(path);
        Assert.Equal(2, rows.Length);
        Assert.Contains(",3600,", rows[0], StringComparison.Ordinal);
        Assert.Contains(",9999,", rows[1], StringComparison.Ordinal);

        // The earlier unit has nothing left to write.
        await first.CommitAsync();
        Assert.Equal(2, Rows(path).Length);
        await first.DisposeAsync();
        await second.DisposeAsync();
        store.Dispose();

        using var reopened = Open(path);
        Assert.Equal(9999u, (await reopened.GetAsync(lease.Address))!.ValidLifetime);
    }

    [Fact]
    public async Task Memfile_cannot_undo_an_abandoned_unit_so_it_commits_it()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "leases.csv");
        using var store = Open(path);

        var work = store.BeginWork();
        await work.InsertAsync(LeaseSamples.Na("2001:db8::1"));
        Assert.False(await work.AbandonAsync());
        Assert.Single(Rows(path));

        // Disposed without a commit: the same.
        var other = store.BeginWork();
        await other.InsertAsync(LeaseSamples.Na("2001:db8::2"));
        await other.DisposeAsync();
        Assert.Equal(2, Rows(path).Length);
    }

    [Fact]
    public async Task Observers_hear_of_a_transaction_s_changes_only_once_it_is_committed()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "leases.csv");
        using var store = Open(path);
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var recorder = new Recorder();
        writer.Subscribe(recorder);

        await using (var transaction = writer.Begin())
        {
            await transaction.InsertAsync(LeaseSamples.Na("2001:db8::1"), LeaseChangeReason.Allocated);
            await transaction.InsertAsync(LeaseSamples.Na("2001:db8::2"), LeaseChangeReason.Allocated);
            Assert.Equal(2, transaction.Changes.Count);
            Assert.Empty(recorder.Changes);
            await transaction.CommitAsync();

            // What an observer sees is already in the file.
            Assert.Equal(2, recorder.Changes.Count);
            Assert.Equal(2, Rows(path).Length);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await transaction.InsertAsync(LeaseSamples.Na("2001:db8::3"), LeaseChangeReason.Allocated));
        }

        // Dropped without a commit (a callout's DROP after allocation): memfile keeps the change, so observers hear of it.
        var dropped = writer.Begin();
        await dropped.InsertAsync(LeaseSamples.Na("2001:db8::4"), LeaseChangeReason.Allocated);
        await dropped.DisposeAsync();
        Assert.Equal(3, recorder.Changes.Count);
        Assert.Equal(3, Rows(path).Length);
    }

    [Fact]
    public async Task Counts_follow_every_change_by_subnet_type_and_state()
    {
        using var dir = new TempDirectory();
        using var store = Open(Path.Combine(dir.Path, "leases.csv"));
        var a = LeaseSamples.Na("2001:db8::1");
        var b = LeaseSamples.Na("2001:db8::2");
        var prefix = LeaseSamples.Pd("2001:db8:8::", 56);
        store.Add(a);
        store.Add(b);
        store.Add(prefix);
        var declined = b.Clone();
        declined.State = LeaseState.Declined;
        store.Update(b, declined);

        Assert.Equal(
            new[] { new LeaseCount(a.SubnetId, LeaseType.NA, LeaseState.Default, 1), new LeaseCount(a.SubnetId, LeaseType.NA, LeaseState.Declined, 1), new LeaseCount(prefix.SubnetId, LeaseType.PD, LeaseState.Default, 1) }.OrderBy(c => c.ToString()),
            (await store.CountAsync(null)).OrderBy(c => c.ToString()));
        Assert.Empty(await store.CountAsync(a.SubnetId + 100));

        store.Delete(declined);
        store.Delete(store.Get(a.Address)!);
        Assert.Equal([new LeaseCount(prefix.SubnetId, LeaseType.PD, LeaseState.Default, 1)], await store.CountAsync(prefix.SubnetId));
        Assert.True(store.IndexesConsistent());
    }
}
