namespace Pukeko.Server.Leases.Memfile;

/// <summary>
/// A unit of work on the memfile store. Each write changes memory at once (so the next worker already sees the
/// address taken) and queues its row; the commit hands every queued row up to the unit's last one to the OS in
/// one write. As in Kea's memfile, writes are never undone: abandoning the unit commits it.
/// </summary>
internal sealed class MemfileUnitOfWork(MemfileLeaseStore store) : IReusableLeaseUnitOfWork
{
    private long _lastSequence;

    public ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, CancellationToken cancellationToken = default)
    {
        var result = store.Insert(lease, out var sequence);
        Track(sequence);
        return ValueTask.FromResult(result);
    }

    public ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, CancellationToken cancellationToken = default)
    {
        var result = store.Update(expected, updated, out var sequence);
        Track(sequence);
        return ValueTask.FromResult(result);
    }

    public ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, CancellationToken cancellationToken = default)
    {
        var result = store.Delete(expected, out var sequence);
        Track(sequence);
        return ValueTask.FromResult(result);
    }

    public ValueTask<IReadOnlyList<Lease6>> DeleteExpiredReclaimedAsync(long olderThan, CancellationToken cancellationToken = default)
    {
        var removed = store.DeleteExpiredReclaimed(olderThan, out var sequence);
        Track(sequence);
        return ValueTask.FromResult(removed);
    }

    public ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        var sequence = _lastSequence;
        _lastSequence = 0;
        store.Commit(sequence);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> AbandonAsync(CancellationToken cancellationToken = default)
    {
        await CommitAsync(cancellationToken).ConfigureAwait(false);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_lastSequence != 0)
        {
            await AbandonAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Disposing committed everything, so the unit is as new; unless its store was closed (a reload).</summary>
    public bool TryReopen() => _lastSequence == 0 && !store.IsDisposed;

    private void Track(long sequence)
    {
        if (sequence > _lastSequence)
        {
            _lastSequence = sequence;
        }
    }
}
