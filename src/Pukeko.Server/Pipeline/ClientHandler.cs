using Pukeko.Server.Leases;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// Kea's client handler (digest §3.2 step 11): one client's packets that change leases are processed
/// one at a time. A packet that arrives while another of the same DUID is in progress waits to be
/// processed right after it; only one waits per client, so when a newer one arrives the waiting one
/// is dropped as a duplicate. Nothing here blocks a thread or is held across an <c>await</c> but the
/// turn itself.
/// </summary>
/// <remarks>
/// Striped like <see cref="ClientClaims"/>: the clients in progress are entries in their stripe's array, guarded by
/// the stripe's monitor for a few instructions, so taking and leaving a turn nobody else wants allocates nothing.
/// Only a packet that has to wait costs a task to wait on.
/// </remarks>
internal sealed class ClientHandler
{
    private const int StripeCount = 256;
    private readonly Stripe[] _stripes = CreateStripes();

    private static Stripe[] CreateStripes()
    {
        var stripes = new Stripe[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }

        return stripes;
    }

    /// <summary>
    /// Takes the client's turn. Completes true at once when no packet of the client is in progress,
    /// later (true) when the one in progress finished, or false when a newer packet of the client
    /// replaced this one. Whoever got true must call <see cref="Leave"/> with the same DUID. The table holds
    /// <paramref name="duid"/> only until then (or until a newer packet replaces this one), so the caller may write its
    /// array again afterwards.
    /// </summary>
    public ValueTask<bool> EnterAsync(byte[] duid)
    {
        var stripe = StripeOf(duid);
        TaskCompletionSource<bool> next;
        TaskCompletionSource<bool>? replaced;
        lock (stripe)
        {
            var index = stripe.IndexOf(duid);
            if (index < 0)
            {
                stripe.Add(duid);
                return new ValueTask<bool>(true);
            }

            next = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            replaced = stripe.Entries[index].Waiting;
            stripe.Entries[index].Waiting = next;
            stripe.Entries[index].WaitingDuid = duid;
        }

        replaced?.TrySetResult(false);
        return new ValueTask<bool>(next.Task);
    }

    /// <summary>Ends the client's turn: the packet waiting (if any) gets it, else the client is idle.</summary>
    public void Leave(byte[] duid)
    {
        var stripe = StripeOf(duid);
        TaskCompletionSource<bool>? next;
        lock (stripe)
        {
            var index = stripe.IndexOf(duid);
            if (index < 0)
            {
                return;
            }

            next = stripe.Entries[index].Waiting;
            if (next is null)
            {
                stripe.RemoveAt(index);
                return;
            }

            // The client is now keyed by the array of the packet that takes the turn: the one leaving may reuse its own
            // for its next packet (LeaseRental.SetClientDuid) once it has left.
            stripe.Entries[index].Duid = stripe.Entries[index].WaitingDuid!;
            stripe.Entries[index].Waiting = null;
            stripe.Entries[index].WaitingDuid = null;
        }

        next.TrySetResult(true);
    }

    private Stripe StripeOf(byte[] duid) => _stripes[(LeaseDuidComparer.Instance.GetHashCode(duid) & int.MaxValue) % StripeCount];

    /// <summary>A client in progress: who has the turn is implied, who waits for it is kept.</summary>
    private struct Entry
    {
        public byte[] Duid;
        public TaskCompletionSource<bool>? Waiting;
        public byte[]? WaitingDuid;
    }

    /// <summary>The clients of one stripe in progress; only touched under its own monitor.</summary>
    private sealed class Stripe
    {
        public Entry[] Entries = new Entry[2];
        public int Count;

        public int IndexOf(byte[] duid)
        {
            for (var i = 0; i < Count; i++)
            {
                if (LeaseDuidComparer.Instance.Equals(Entries[i].Duid, duid))
                {
                    return i;
                }
            }

            return -1;
        }

        public void Add(byte[] duid)
        {
            if (Count == Entries.Length)
            {
                Array.Resize(ref Entries, Entries.Length * 2);
            }

            Entries[Count++] = new Entry { Duid = duid };
        }

        /// <summary>Moves the last entry into the gap: order does not matter, and nothing else shifts.</summary>
        public void RemoveAt(int index)
        {
            Count--;
            Entries[index] = Entries[Count];
            Entries[Count] = default;
        }
    }
}
