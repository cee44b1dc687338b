namespace Pukeko.Server.Leases;

/// <summary>
/// The lease changes of one packet, command or reclamation batch: conditional writes through the store's unit of
/// work, recorded as <see cref="LeaseChange"/>s and published to the writer's observers once committed. Disposing
/// without committing abandons the work: a store that can undo it does; otherwise (memfile) the changes stand, are
/// committed and are published. Used by one flow at a time. A lease handed to it (the one written, and the one read
/// that a write replaces) belongs to the changes from then on: callers change a <see cref="Lease6.Clone"/> instead,
/// so the observers see what was written without a copy per change.
/// </summary>
internal sealed class LeaseTransaction : IAsyncDisposable
{
    private const int MaxKeptChanges = 16;

    private readonly LeaseWriter _writer;
    private readonly ILeaseUnitOfWork _work;
    private readonly List<LeaseChange> _changes = new(2);
    private bool _ended;
    private bool _disposed;

    internal LeaseTransaction(LeaseWriter writer, ILeaseUnitOfWork work)
    {
        _writer = writer;
        _work = work;
    }

    /// <summary>The writer this transaction writes through.</summary>
    internal LeaseWriter Writer => _writer;

    /// <summary>The changes written so far, in order (committed or not).</summary>
    public IReadOnlyList<LeaseChange> Changes => _changes;

    public bool IsCommitted { get; private set; }

    /// <summary>Stores a lease on a free address; <see cref="LeaseWriteResult.Conflict"/> when it is taken.</summary>
    public async ValueTask<LeaseWriteResult> InsertAsync(Lease6 lease, LeaseChangeReason reason, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var result = await _work.InsertAsync(lease, cancellationToken).ConfigureAwait(false);
        if (result == LeaseWriteResult.Written)
        {
            _changes.Add(new LeaseChange(null, lease, reason));
        }

        return result;
    }

    /// <summary>Replaces <paramref name="expected"/> (as the caller read it) with <paramref name="updated"/> (same address).</summary>
    public async ValueTask<LeaseWriteResult> UpdateAsync(Lease6 expected, Lease6 updated, LeaseChangeReason reason, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var result = await _work.UpdateAsync(expected, updated, cancellationToken).ConfigureAwait(false);
        if (result == LeaseWriteResult.Written)
        {
            _changes.Add(new LeaseChange(expected, updated, reason));
        }

        return result;
    }

    /// <summary>Removes <paramref name="expected"/> (as the caller read it).</summary>
    public async ValueTask<LeaseWriteResult> DeleteAsync(Lease6 expected, LeaseChangeReason reason, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var result = await _work.DeleteAsync(expected, cancellationToken).ConfigureAwait(false);
        if (result == LeaseWriteResult.Written)
        {
            _changes.Add(new LeaseChange(expected, null, reason));
        }

        return result;
    }

    /// <summary>Removes the expired-reclaimed leases that expired before <paramref name="olderThan"/>; returns how many.</summary>
    public async ValueTask<int> FlushReclaimedAsync(long olderThan, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var removed = await _work.DeleteExpiredReclaimedAsync(olderThan, cancellationToken).ConfigureAwait(false);
        foreach (var lease in removed)
        {
            _changes.Add(new LeaseChange(lease, null, LeaseChangeReason.Flushed));
        }

        return removed.Count;
    }

    /// <summary>Makes every change durable, then tells the observers. Only after this may a client hear of them.</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await _work.CommitAsync(cancellationToken).ConfigureAwait(false);
        _ended = true;
        IsCommitted = true;
        Publish();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            _ended = true;
            bool undone;
            try
            {
                undone = _changes.Count > 0 && await _work.AbandonAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Memory already holds the changes (memfile); what the store keeps is what observers must see.
                _writer.LogAbandonFailure(ex);
                undone = false;
            }

            if (!undone)
            {
                Publish();
            }
        }

        await _work.DisposeAsync().ConfigureAwait(false);
        _disposed = true;
    }

    /// <summary>
    /// Makes this disposed transaction a new, empty one, when its store's unit of work can be used again
    /// (<see cref="IReusableLeaseUnitOfWork"/>); false otherwise, and the transaction stays disposed. Only for a
    /// transaction whose changes nobody outside its flow holds: they are forgotten here.
    /// </summary>
    internal bool TryReopen()
    {
        // An unusually large one (a batch) is not worth keeping.
        if (!_disposed || _changes.Capacity > MaxKeptChanges || _work is not IReusableLeaseUnitOfWork reusable || !reusable.TryReopen())
        {
            return false;
        }

        _changes.Clear();
        _ended = false;
        _disposed = false;
        IsCommitted = false;
        return true;
    }

    private void Publish()
    {
        if (_changes.Count > 0)
        {
            _writer.Publish(_changes);
        }
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_ended, this);
}
