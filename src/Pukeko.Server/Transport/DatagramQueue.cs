using Pukeko.Server.Pipeline;

namespace Pukeko.Server.Transport;

/// <summary>
/// The queue between the receive thread and the packet workers (<c>packet-queue-size</c>): bounded, never blocks the
/// writer, and a worker with nothing to do sleeps in <see cref="Monitor.Wait(object)"/>.
/// </summary>
/// <remarks>
/// A channel read synchronously by a dedicated thread (<c>WaitToReadAsync(...).AsTask().Wait()</c>) allocates a task
/// per idle wait and spins with <c>sched_yield</c> before it sleeps, for every packet when traffic is below what the
/// workers can take: under perfdhcp that spinning was a tenth of the server's CPU. A monitor wakes the worker directly.
/// </remarks>
internal sealed class DatagramQueue(int capacity)
{
    private readonly Queue<ReceivedDatagram> _items = new(capacity > 0 ? capacity : 64);
    private int _waiting;
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

    /// <summary>Queues a datagram; false when the queue is full (a bound of 0 or less means none) or completed.</summary>
    public bool TryWrite(ReceivedDatagram datagram)
    {
        lock (_items)
        {
            if (_completed || (capacity > 0 && _items.Count >= capacity))
            {
                return false;
            }

            _items.Enqueue(datagram);
            if (_waiting > 0)
            {
                Monitor.Pulse(_items);
            }

            return true;
        }
    }

    public bool TryRead(out ReceivedDatagram datagram)
    {
        lock (_items)
        {
            return _items.TryDequeue(out datagram!);
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

                _waiting++;
                try
                {
                    // Woken by a write or by Complete; the timeout only bounds how late a cancellation is seen.
                    Monitor.Wait(_items, 250);
                }
                finally
                {
                    _waiting--;
                }
            }

            token.ThrowIfCancellationRequested();
            return true;
        }
    }

    /// <summary>No more writes; waiting readers wake and see the queue drain.</summary>
    public void Complete()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }
}
