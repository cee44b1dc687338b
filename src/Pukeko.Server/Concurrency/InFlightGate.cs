namespace Pukeko.Server.Concurrency;

/// <summary>
/// Counts the callers inside a section and can be closed: a closed gate turns new callers away,
/// and whoever closed it can wait, bounded, until those already inside have left. Reconfiguration
/// uses it to know that no packet (or no callout of a library) is in flight any more. Entering and
/// leaving are one interlocked operation each, cheap enough for every packet.
/// </summary>
internal sealed class InFlightGate
{
    private int _inside;

    // Non-null while closed; completed when the gate opens again.
    private volatile TaskCompletionSource? _closed;

    // Set by a waiter while the gate is closed; completed by the caller that leaves last.
    private volatile TaskCompletionSource? _emptied;

    public bool IsOpen => _closed is null;

    /// <summary>Callers inside right now (including ones about to be turned away).</summary>
    public int Inside => Volatile.Read(ref _inside);

    /// <summary>Completes when the gate is open (at once if it is).</summary>
    public Task WhenOpen => _closed?.Task ?? Task.CompletedTask;

    /// <summary>True when the caller may go in (it must call <see cref="Leave"/> after); false while the gate is closed.</summary>
    public bool TryEnter()
    {
        // The increment is a full fence, so either Close sees us inside or we see it closed.
        Interlocked.Increment(ref _inside);
        if (_closed is null)
        {
            return true;
        }

        Leave();
        return false;
    }

    /// <summary>Enters as soon as the gate is open (at once when it is); the caller must call <see cref="Leave"/> after.</summary>
    public ValueTask EnterAsync()
    {
        return TryEnter() ? default : WaitAndEnterAsync();

        async ValueTask WaitAndEnterAsync()
        {
            do
            {
                await WhenOpen.ConfigureAwait(false);
            }
            while (!TryEnter());
        }
    }

    public void Leave()
    {
        if (Interlocked.Decrement(ref _inside) == 0)
        {
            _emptied?.TrySetResult();
        }
    }

    /// <summary>Turns new callers away until <see cref="Open"/>; those inside carry on. Closing a closed gate does nothing.</summary>
    public void Close()
    {
        if (_closed is null)
        {
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary>Lets callers in again and wakes those waiting for <see cref="WhenOpen"/>.</summary>
    public void Open()
    {
        var closed = _closed;
        if (closed is null)
        {
            return;
        }

        _emptied = null;
        _closed = null;
        closed.TrySetResult();
    }

    /// <summary>
    /// Waits until nobody is inside the closed gate. False when <paramref name="timeout"/> passed
    /// first (the gate stays closed; the caller decides what to do with the stragglers).
    /// </summary>
    public async Task<bool> WaitEmptyAsync(TimeSpan timeout)
    {
        if (_closed is null)
        {
            throw new InvalidOperationException("Only a closed gate empties; call Close first.");
        }

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var emptied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _emptied = emptied;
            Interlocked.MemoryBarrier();

            // A signal may be stale (a caller that was only turned away), so the count decides.
            if (Volatile.Read(ref _inside) == 0)
            {
                return true;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await emptied.Task.WaitAsync(remaining).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Volatile.Read(ref _inside) == 0;
            }
        }
    }

    /// <summary>Blocking form of <see cref="WaitEmptyAsync"/>, for callers that are synchronous anyway.</summary>
    public bool WaitEmpty(TimeSpan timeout) => WaitEmptyAsync(timeout).GetAwaiter().GetResult();
}
