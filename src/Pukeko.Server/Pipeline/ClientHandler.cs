using System.Collections.Concurrent;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Kea's client handler (digest §3.2 step 11): one client's packets that change leases are processed
/// one at a time. A packet that arrives while another of the same DUID is in progress waits to be
/// processed right after it; only one waits per client, so when a newer one arrives the waiting one
/// is dropped as a duplicate. Nothing here blocks a thread or is held across an <c>await</c> but the
/// turn itself.
/// </summary>
internal sealed class ClientHandler
{
    private readonly ConcurrentDictionary<byte[], Turn> _inProgress = new(LeaseDuidComparer.Instance);

    /// <summary>Clients with a packet in progress now.</summary>
    public int Busy => _inProgress.Count;

    /// <summary>
    /// Takes the client's turn. Completes true at once when no packet of the client is in progress,
    /// later (true) when the one in progress finished, or false when a newer packet of the client
    /// replaced this one. Whoever got true must call <see cref="Leave"/> with the same DUID.
    /// </summary>
    public ValueTask<bool> EnterAsync(byte[] duid)
    {
        while (true)
        {
            if (_inProgress.TryGetValue(duid, out var turn))
            {
                if (turn.TryQueue(out var waiting))
                {
                    return new ValueTask<bool>(waiting);
                }

                continue; // it ended meanwhile; try again
            }

            if (_inProgress.TryAdd(duid, new Turn()))
            {
                return new ValueTask<bool>(true);
            }
        }
    }

    /// <summary>Ends the client's turn: the packet waiting (if any) gets it, else the client is idle.</summary>
    public void Leave(byte[] duid)
    {
        if (!_inProgress.TryGetValue(duid, out var turn))
        {
            return;
        }

        if (!turn.HandOver())
        {
            _inProgress.TryRemove(new KeyValuePair<byte[], Turn>(duid, turn));
        }
    }

    /// <summary>One client's turn: who has it is implied; who waits for it is kept here.</summary>
    /// <remarks>Guarded by its own monitor: one object per packet in progress, not two.</remarks>
    private sealed class Turn
    {
        private TaskCompletionSource<bool>? _next;
        private bool _ended;

        /// <summary>Queues a packet after the one in progress; false when the turn ended meanwhile.</summary>
        public bool TryQueue(out Task<bool> waiting)
        {
            TaskCompletionSource<bool>? replaced;
            var next = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (this)
            {
                if (_ended)
                {
                    waiting = Task.FromResult(false);
                    return false;
                }

                replaced = _next;
                _next = next;
            }

            replaced?.TrySetResult(false);
            waiting = next.Task;
            return true;
        }

        /// <summary>Passes the turn to the waiting packet; false (and the turn ends) when none waits.</summary>
        public bool HandOver()
        {
            TaskCompletionSource<bool>? next;
            lock (this)
            {
                next = _next;
                _next = null;
                if (next is null)
                {
                    _ended = true;
                    return false;
                }
            }

            next.TrySetResult(true);
            return true;
        }
    }
}
