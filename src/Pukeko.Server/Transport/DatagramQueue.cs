using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Transport;

/// <summary>
/// The queue between the receive thread and the packet workers (<c>packet-queue-size</c>): bounded; when it is full the
/// writer waits a bounded time for room, then the oldest datagram makes way for the new one, as in Kea's thread pool.
/// A worker with nothing to do sleeps in <see cref="Monitor.Wait(object)"/>.
/// </summary>
/// <remarks>
/// A channel read synchronously by a dedicated thread (<c>WaitToReadAsync(...).AsTask().Wait()</c>) allocates a task
/// per idle wait and spins with <c>sched_yield</c> before it sleeps, for every packet when traffic is below what the
/// workers can take: under perfdhcp that spinning was a tenth of the server's CPU. A monitor wakes the worker directly.
/// <para>
/// Waiting for room matters because the workers pause now and then (a garbage collection, a thread-pool stall) while
/// the receive thread keeps reading: without the wait the queue overflows in a burst of drops although the workers
/// catch up a few milliseconds later. While the writer waits, the datagrams stay in the socket's receive buffer (4 MB),
/// which is far larger than the queue. Once a wait has run out the workers are really behind, so later writes drop the
/// oldest at once, until a worker takes a datagram again: waiting for every datagram would only trickle them in.
/// </para>
/// </remarks>
internal sealed class DatagramQueue(int capacity)
{
    private readonly Queue<ReceivedDatagram> _items = new(capacity > 0 ? capacity : 64);
    private int _readersWaiting;
    private bool _writerWaiting;
    private bool _roomWaitRanOut;
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

    /// <summary>
    /// Queues a datagram. When the queue is full (a bound of 0 or less means never), waits up to
    /// <paramref name="roomWait"/> for a worker to take one; if none does, the oldest queued datagram is taken out to
    /// make room and handed back in <paramref name="dropped"/> (the caller counts it and returns its buffer).
    /// </summary>
    /// <returns>False when the queue is completed: the datagram was not queued.</returns>
    public bool Write(ReceivedDatagram datagram, TimeSpan roomWait, out ReceivedDatagram? dropped)
    {
        dropped = null;
        lock (_items)
        {
            if (capacity > 0 && _items.Count >= capacity && !_completed && !_roomWaitRanOut && roomWait > TimeSpan.Zero)
            {
                WaitForRoom(roomWait);
            }

            if (_completed)
            {
                return false;
            }

            if (capacity > 0 && _items.Count >= capacity)
            {
                _roomWaitRanOut = true;
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

    /// <summary>The caller holds the lock; returns when there is room, the queue completed, or the time ran out.</summary>
    private void WaitForRoom(TimeSpan roomWait)
    {
        var deadline = Environment.TickCount64 + (long)Math.Ceiling(roomWait.TotalMilliseconds);
        _writerWaiting = true;
        try
        {
            while (_items.Count >= capacity && !_completed)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return;
                }

                Monitor.Wait(_items, (int)Math.Min(left, int.MaxValue));
            }
        }
        finally
        {
            _writerWaiting = false;
        }
    }

    public bool TryRead(out ReceivedDatagram datagram)
    {
        lock (_items)
        {
            if (!_items.TryDequeue(out datagram!))
            {
                return false;
            }

            _roomWaitRanOut = false;
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
