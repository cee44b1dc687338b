namespace Pukeko.Hooks;

/// <summary>
/// Packets parked on one hook point (Kea's <c>ParkingLot</c>): each entry holds the parked object
/// (keyed by reference), what to run when it is unparked, and a reference count. Thread-safe.
/// </summary>
public sealed class ParkingLot
{
    private readonly Dictionary<object, Entry> _entries = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _lock = new();

    /// <summary>Creates an empty lot for <paramref name="hookName"/>.</summary>
    /// <param name="hookName">The hook point this lot belongs to.</param>
    public ParkingLot(string hookName)
    {
        HookName = hookName;
    }

    /// <summary>The hook point.</summary>
    public string HookName { get; }

    /// <summary>Packets parked now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Parks <paramref name="parked"/>; <paramref name="onUnpark"/> runs when it is unparked.</summary>
    /// <param name="parked">The object to park.</param>
    /// <param name="onUnpark">Continuation.</param>
    /// <exception cref="InvalidOperationException">Already parked.</exception>
    public void Park(object parked, Action onUnpark) => Park(parked, onUnpark, onDiscard: null);

    /// <summary>
    /// Parks <paramref name="parked"/>; <paramref name="onUnpark"/> runs when it is unparked and
    /// <paramref name="onDiscard"/> when it is dropped or the lot is cleared instead, so whoever
    /// waits for the packet learns that it will never resume.
    /// </summary>
    /// <param name="parked">The object to park.</param>
    /// <param name="onUnpark">Continuation.</param>
    /// <param name="onDiscard">Runs, outside the lot's lock, when the object leaves without being unparked.</param>
    /// <exception cref="InvalidOperationException">Already parked.</exception>
    public void Park(object parked, Action onUnpark, Action? onDiscard)
    {
        ArgumentNullException.ThrowIfNull(parked);
        ArgumentNullException.ThrowIfNull(onUnpark);
        lock (_lock)
        {
            if (!_entries.TryAdd(parked, new Entry(onUnpark, onDiscard)))
            {
                throw new InvalidOperationException($"object is already parked on {HookName}");
            }
        }
    }

    /// <summary>True when the object is parked here.</summary>
    /// <param name="parked">The object.</param>
    /// <returns>Whether it is parked.</returns>
    public bool IsParked(object parked)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(parked);
        }
    }

    /// <summary>Adds a reference; returns the new count.</summary>
    /// <param name="parked">The object.</param>
    /// <returns>References held.</returns>
    /// <exception cref="InvalidOperationException">Not parked.</exception>
    public int Reference(object parked)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(parked, out var entry))
            {
                throw new InvalidOperationException($"object is not parked on {HookName}");
            }

            return ++entry.References;
        }
    }

    /// <summary>Removes a reference without unparking.</summary>
    /// <param name="parked">The object.</param>
    /// <returns>References left, or -1 when not parked.</returns>
    public int Dereference(object parked)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(parked, out var entry))
            {
                return -1;
            }

            return --entry.References;
        }
    }

    /// <summary>
    /// Drops a reference (or all of them when <paramref name="force"/>); when none are left the
    /// entry is removed and its continuation runs on the calling thread.
    /// </summary>
    /// <param name="parked">The object.</param>
    /// <param name="force">Unpark whatever the reference count (the server's unpark).</param>
    /// <returns>False when not parked.</returns>
    public bool Unpark(object parked, bool force)
    {
        Action onUnpark;
        lock (_lock)
        {
            if (!_entries.TryGetValue(parked, out var entry))
            {
                return false;
            }

            if (!force && --entry.References > 0)
            {
                return true;
            }

            _entries.Remove(parked);
            onUnpark = entry.OnUnpark;
        }

        onUnpark();
        return true;
    }

    /// <summary>Removes the object without running its continuation.</summary>
    /// <param name="parked">The object.</param>
    /// <returns>False when not parked.</returns>
    public bool Drop(object parked)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.Remove(parked, out entry))
            {
                return false;
            }
        }

        entry.OnDiscard?.Invoke();
        return true;
    }

    /// <summary>Forgets every parked object (reconfiguration, shutdown); returns how many.</summary>
    /// <returns>Objects dropped.</returns>
    public int Clear()
    {
        Entry[] dropped;
        lock (_lock)
        {
            dropped = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var entry in dropped)
        {
            entry.OnDiscard?.Invoke();
        }

        return dropped.Length;
    }

    private sealed class Entry(Action onUnpark, Action? onDiscard)
    {
        public Action OnUnpark { get; } = onUnpark;

        public Action? OnDiscard { get; } = onDiscard;

        public int References { get; set; }
    }
}
