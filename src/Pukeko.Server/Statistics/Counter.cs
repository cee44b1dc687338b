namespace Pukeko.Server.Statistics;

/// <summary>
/// One named statistic with Kea's sample history.
/// </summary>
/// <remarks>
/// The packet path only touches two fields, with interlocked/volatile writes: the live value and the time of the
/// last change. No lock and no allocation per packet. History is materialised separately by
/// <see cref="RecordSample"/>, under a lock private to this counter, which the registry calls when the statistic is
/// read (<c>statistic-get</c>) and from a periodic sampler. The history therefore holds every value that was
/// observable at a read or sampler tick, each stamped with the time it was set, rather than every intermediate
/// increment; Kea's clients (Stork, exporters) read the newest sample, which is always exact.
/// </remarks>
internal sealed class Counter(string name)
{
    private readonly Lock _historyLock = new();
    private readonly LinkedList<StatisticSample> _history = new();
    private long _value;
    private long _changedTicks = DateTime.UtcNow.Ticks;
    private long _recordedTicks = -1;
    private SampleLimits _limits = SampleLimits.Default;
    private volatile StatisticsRegistry? _removedFrom;

    public string Name { get; } = name;

    public long Value => Interlocked.Read(ref _value);

    /// <summary>When the value last changed (UTC).</summary>
    public DateTimeOffset LastChanged => new(Volatile.Read(ref _changedTicks), TimeSpan.Zero);

    public SampleLimits Limits
    {
        get
        {
            lock (_historyLock)
            {
                return _limits;
            }
        }
    }

    public void Increment() => Add(1);

    public void Add(long delta)
    {
        Interlocked.Add(ref _value, delta);
        Volatile.Write(ref _changedTicks, DateTime.UtcNow.Ticks);
        ReattachIfRemoved();
    }

    public void Set(long value)
    {
        Interlocked.Exchange(ref _value, value);
        Volatile.Write(ref _changedTicks, DateTime.UtcNow.Ticks);
        ReattachIfRemoved();
    }

    /// <summary>
    /// Called by the registry on <c>statistic-remove</c>: the value and history are dropped. Code that cached this
    /// counter keeps using it, and its next update puts it back in the registry from zero, as Kea re-creates a
    /// removed statistic on its next update.
    /// </summary>
    internal void MarkRemoved(StatisticsRegistry registry)
    {
        Interlocked.Exchange(ref _value, 0);
        lock (_historyLock)
        {
            _history.Clear();
            _recordedTicks = -1;
        }

        _removedFrom = registry;
    }

    private void ReattachIfRemoved()
    {
        // One volatile read on the hot path; the rare re-attach goes through the registry's dictionary.
        if (_removedFrom is { } registry)
        {
            _removedFrom = null;
            registry.Reattach(this);
        }
    }

    /// <summary><c>statistic-reset</c>: back to 0, recorded at once so the history shows the reset.</summary>
    public void Reset()
    {
        Set(0);
        RecordSample();
    }

    /// <summary>Appends the current value to the history if it changed since the last recorded sample.</summary>
    public void RecordSample()
    {
        lock (_historyLock)
        {
            var ticks = Volatile.Read(ref _changedTicks);
            var value = Value;
            if (ticks != _recordedTicks || _history.Count == 0)
            {
                _recordedTicks = ticks;
                _history.AddFirst(new StatisticSample(value, new DateTime(ticks, DateTimeKind.Utc)));
            }
            else if (_history.First!.Value.Value != value)
            {
                // Two changes within one clock tick: keep the newest value.
                _history.First.Value = _history.First.Value with { Value = value };
            }

            Trim();
        }
    }

    /// <summary>The history, newest first, after recording the current value.</summary>
    public IReadOnlyList<StatisticSample> Samples()
    {
        RecordSample();
        lock (_historyLock)
        {
            return [.. _history];
        }
    }

    public void SetLimits(SampleLimits limits)
    {
        lock (_historyLock)
        {
            _limits = limits;
            Trim();
        }
    }

    // Caller holds _historyLock. The newest sample is always kept, as Kea keeps at least the current value.
    private void Trim()
    {
        if (_limits.ByAge)
        {
            var oldest = DateTime.UtcNow - _limits.MaxAge;
            while (_history.Count > 1 && _history.Last!.Value.Timestamp < oldest)
            {
                _history.RemoveLast();
            }
        }
        else
        {
            var max = Math.Max(1, _limits.MaxSamples);
            while (_history.Count > max)
            {
                _history.RemoveLast();
            }
        }
    }
}
