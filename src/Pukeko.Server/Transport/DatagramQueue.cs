using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Transport;

/// <summary>
/// The queue between the receive thread and the packet workers (<c>packet-queue-size</c>): bounded; when it is full the
/// writer may wait for room, up to <c>roomWait</c> in all per <c>roomWaitWindow</c>, and otherwise the oldest datagram
/// makes way for the new one, as in Kea's thread pool. A worker with nothing to do sleeps in <see cref="Monitor.Wait(object)"/>.
/// </summary>
/// <remarks>
/// A channel read synchronously by a dedicated thread (<c>WaitToReadAsync(...).AsTask().Wait()</c>) allocates a task
/// per idle wait and spins with <c>sched_yield</c> before it sleeps, for every packet when traffic is below what the
/// workers can take: under perfdhcp that spinning was a tenth of the server's CPU. A monitor wakes the worker directly.
/// <para>
/// Waiting for room matters because the workers pause now and then (a garbage collection, a thread-pool stall) while
/// the receive thread keeps reading: without the wait the queue overflows in a burst of drops although the workers
/// catch up a few milliseconds later. While the writer waits, the datagrams stay in the socket's receive buffer (4 MB),
/// which is far larger than the queue. The wait is a budget per window, not per datagram: when the workers are simply
/// slower than the traffic, waiting whenever the queue is full would turn that socket buffer into a queue of thousands,
/// and every packet would be answered too late (as a <c>packet-queue-size</c> of 1024 does; measured in
/// docs/performance.md). Once the budget is spent the oldest datagrams go at once, so what is queued stays fresh.
/// </para>
/// </remarks>
internal sealed class DatagramQueue(int capacity, TimeSpan roomWait = default, TimeSpan roomWaitWindow = default)
{
    private readonly Queue<ReceivedDatagram> _items = new(capacity > 0 ? capacity : 64);
    private readonly long _roomWaitMs = (long)Math.Ceiling(roomWait.TotalMilliseconds);
    private readonly long _windowMs = (long)Math.Ceiling(roomWaitWindow.TotalMilliseconds);
    private long _windowStart = Environment.TickCount64;
    private long _waitedInWindowMs;
    private int _readersWaiting;
    private bool _writerWaiting;
    private bool _completed;

    /// <summary>Datagrams queued now.</summary>
    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>What is left of this window's wait budget; once it is zero a full queue drops at once.</summary>
    public TimeSpan RoomWaitLeft
    {
        get
        {
            lock (_items)
            {
                return TimeSpan.FromMilliseconds(BudgetLeft(Environment.TickCount64));
            }
        }
    }

    /// <summary>
    /// Queues a datagram. When the queue is full (a bound of 0 or less means never), waits for a worker to take one
    /// while the wait budget lasts; if none does, the oldest queued datagram is taken out to make room and handed back
    /// in <paramref name="dropped"/> (the caller counts it and returns its buffer).
    /// </summary>
    /// <returns>False when the queue is completed: the datagram was not queued.</returns>
    public bool Write(ReceivedDatagram datagram, out ReceivedDatagram? dropped)
    {
        dropped = null;
        lock (_items)
        {
            if (capacity > 0 && _items.Count >= capacity && !_completed)
            {
                WaitForRoom();
            }

            if (_completed)
            {
                return false;
            }

            if (capacity > 0 && _items.Count >= capacity)
            {
                dropped = _items.Dequeue();
            }

            _items.Enqueue(datagram);
            if (_readersWaiting > 0)
            {
                Monitor.Pulse(_items);
            }

            return true;
        }
    }

    /// <summary>The caller holds the lock; returns when there is room, the queue completed, or the budget ran out.</summary>
    private void WaitForRoom()
    {
        var start = Environment.TickCount64;
        var left = BudgetLeft(start);
        if (left <= 0)
        {
            return;
        }

        var deadline = start + left;
        _writerWaiting = true;
        try
        {
            while (_items.Count >= capacity && !_completed)
            {
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    break;
                }

                Monitor.Wait(_items, (int)Math.Min(remaining, int.MaxValue));
            }
        }
        finally
        {
            _writerWaiting = false;
            _waitedInWindowMs += Math.Min(left, Environment.TickCount64 - start);
        }
    }

    /// <summary>The caller holds the lock. Milliseconds of waiting left in the window <paramref name="now"/> falls in.</summary>
    private long BudgetLeft(long now)
    {
        if (now - _windowStart >= _windowMs)
        {
            _windowStart = now;
            _waitedInWindowMs = 0;
        }

        return Math.Max(0, _roomWaitMs - _waitedInWindowMs);
    }

    public bool TryRead(out ReceivedDatagram datagram)
    {
        lock (_items)
        {
            if (!_items.TryDequeue(out datagram!))
            {
                return false;
            }

            if (_writerWaiting)
            {
                // Readers and the writer share the monitor; only the writer waits while the queue is not empty.
                Monitor.PulseAll(_items);
            }

            return true;
        }
    }

    /// <summary>
    /// Blocks until a datagram is queued (true), or the queue is completed and empty (false).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="token"/> was cancelled.</exception>
    public bool WaitToRead(CancellationToken token)
    {
        lock (_items)
        {
            while (_items.Count == 0)
            {
                token.ThrowIfCancellationRequested();
                if (_completed)
                {
                    return false;
                }

                _readersWaiting++;
                try
                {
                    // Woken by a write or by Complete; the timeout only bounds how late a cancellation is seen.
                    Monitor.Wait(_items, 250);
                }
                finally
                {
                    _readersWaiting--;
                }
            }

            token.ThrowIfCancellationRequested();
            return true;
        }
    }

    /// <summary>No more writes; waiting readers and a writer waiting for room wake.</summary>
    public void Complete()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }
}
