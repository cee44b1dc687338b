using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

public sealed class LeaseWriterTests
{
    private sealed class Recorder : ILeaseChangeObserver
    {
        public List<LeaseChange> Changes { get; } = [];

        public void OnLeaseChanged(in LeaseChange change) => Changes.Add(change);
    }

    private sealed class Failing : ILeaseChangeObserver
    {
        public void OnLeaseChanged(in LeaseChange change) => throw new InvalidOperationException("observer bug");
    }

    private static MemfileLeaseStore OpenStore()
    {
        var store = new MemfileLeaseStore(new MemfileOptions("/nonexistent/unused.csv", Persist: false), NullLogger.Instance, new FakeTimeProvider());
        store.Open();
        return store;
    }

    [Fact]
    public void EveryCommittedChangeIsSeenOnceWithItsReason()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var recorder = new Recorder();
        writer.Subscribe(recorder);
        var lease = LeaseSamples.Na("2001:db8::1");

        Assert.Equal(LeaseWriteResult.Written, writer.Insert(lease, LeaseChangeReason.Allocated));
        var renewed = lease.Clone();
        renewed.Cltt += 100;
        Assert.Equal(LeaseWriteResult.Written, writer.Update(lease, renewed, LeaseChangeReason.Extended));
        Assert.Equal(LeaseWriteResult.Written, writer.Delete(renewed, LeaseChangeReason.Released));

        Assert.Equal([LeaseChangeReason.Allocated, LeaseChangeReason.Extended, LeaseChangeReason.Released], recorder.Changes.Select(c => c.Reason));
        Assert.Null(recorder.Changes[0].Old);
        Assert.Equal(lease.Cltt, recorder.Changes[1].Old!.Cltt);
        Assert.Equal(renewed.Cltt, recorder.Changes[1].New!.Cltt);
        Assert.Null(recorder.Changes[2].New);
    }

    [Fact]
    public void AnUpdateOverAStaleReadIsAConflictAndChangesNothing()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var recorder = new Recorder();
        var lease = LeaseSamples.Na("2001:db8::1");
        writer.Insert(lease, LeaseChangeReason.Allocated);
        writer.Subscribe(recorder);

        // Worker A and worker B both read the lease; A writes first.
        var readByA = store.Get(lease.Address)!;
        var readByB = store.Get(lease.Address)!;
        var byA = readByA.Clone();
        byA.Cltt += 10;
        var byB = readByB.Clone();
        byB.State = LeaseState.ExpiredReclaimed;

        Assert.Equal(LeaseWriteResult.Written, writer.Update(readByA, byA, LeaseChangeReason.Extended));
        Assert.Equal(LeaseWriteResult.Conflict, writer.Update(readByB, byB, LeaseChangeReason.Reclaimed));
        Assert.Equal(LeaseWriteResult.Conflict, writer.Delete(readByB, LeaseChangeReason.Reclaimed));

        Assert.Equal(LeaseState.Default, store.Get(lease.Address)!.State);
        Assert.Equal(byA.Cltt, store.Get(lease.Address)!.Cltt);
        Assert.Single(recorder.Changes);
    }

    [Fact]
    public void AnInsertOnATakenAddressIsAConflict()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        writer.Insert(LeaseSamples.Na("2001:db8::1", client: 1), LeaseChangeReason.Allocated);

        Assert.Equal(LeaseWriteResult.Conflict, writer.Insert(LeaseSamples.Na("2001:db8::1", client: 2), LeaseChangeReason.Allocated));
        Assert.Equal(LeaseSamples.Duid(1), store.Get(LeaseSamples.Na("2001:db8::1").Address)!.Duid);
    }

    [Fact]
    public void WritesOfAMissingLeaseReportNotFound()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var lease = LeaseSamples.Na("2001:db8::9");

        Assert.Equal(LeaseWriteResult.NotFound, writer.Update(lease, lease, LeaseChangeReason.Extended));
        Assert.Equal(LeaseWriteResult.NotFound, writer.Delete(lease, LeaseChangeReason.Released));
    }

    [Fact]
    public void AFailingObserverDoesNotUndoTheChangeOrHideItFromOthers()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var recorder = new Recorder();
        writer.Subscribe(new Failing());
        writer.Subscribe(recorder);

        Assert.Equal(LeaseWriteResult.Written, writer.Insert(LeaseSamples.Na("2001:db8::1"), LeaseChangeReason.Allocated));

        Assert.NotNull(store.Get(LeaseSamples.Na("2001:db8::1").Address));
        Assert.Single(recorder.Changes);
    }

    [Fact]
    public void FlushedLeasesAreReportedOneByOne()
    {
        using var store = OpenStore();
        var writer = new LeaseWriter(store, NullLogger.Instance);
        var recorder = new Recorder();
        foreach (var address in (string[])["2001:db8::1", "2001:db8::2"])
        {
            var lease = LeaseSamples.Na(address, cltt: 100, valid: 10);
            lease.State = LeaseState.ExpiredReclaimed;
            store.Add(lease);
        }

        writer.Subscribe(recorder);

        Assert.Equal(2, writer.FlushReclaimed(olderThan: 1000));
        Assert.All(recorder.Changes, c => Assert.Equal(LeaseChangeReason.Flushed, c.Reason));
        Assert.Equal(2, recorder.Changes.Count);
    }
}
