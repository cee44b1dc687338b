using System.Collections.Concurrent;

namespace Pukeko.Server.Statistics;

/// <summary>
/// Named integer statistics with Kea's names (<c>pkt6-received</c>, <c>subnet[1].assigned-nas</c>).
/// Hot-path counters are resolved to a <see cref="Counter"/> once and then bumped with interlocked
/// operations, so packet processing takes no lock.
/// </summary>
public sealed class StatisticsRegistry
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>The counter for <paramref name="name"/>, created at zero on first use.</summary>
    public Counter Get(string name) => _counters.GetOrAdd(name, static n => new Counter(n));

    public void Add(string name, long delta) => Get(name).Add(delta);

    public void Set(string name, long value) => Get(name).Set(value);

    public long Value(string name) => _counters.TryGetValue(name, out var counter) ? counter.Value : 0;

    public bool Contains(string name) => _counters.ContainsKey(name);

    public bool Remove(string name) => _counters.TryRemove(name, out _);

    /// <summary>Removes every statistic whose name starts with <paramref name="prefix"/> (e.g. a subnet that left the config).</summary>
    public void RemoveByPrefix(string prefix)
    {
        foreach (var key in _counters.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        var list = new List<KeyValuePair<string, long>>(_counters.Count);
        foreach (var (name, counter) in _counters)
        {
            list.Add(new(name, counter.Value));
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    /// <summary>Kea's per-subnet statistic name: <c>subnet[1].assigned-nas</c>.</summary>
    public static string SubnetName(uint subnetId, string name) => $"subnet[{subnetId}].{name}";

    /// <summary>Kea's per-pool statistic name: <c>subnet[1].pool[0].assigned-nas</c>.</summary>
    public static string PoolName(uint subnetId, uint poolId, string name) => $"subnet[{subnetId}].pool[{poolId}].{name}";

    /// <summary>Kea's per-prefix-pool statistic name: <c>subnet[1].pd-pool[0].assigned-pds</c>.</summary>
    public static string PdPoolName(uint subnetId, uint poolId, string name) => $"subnet[{subnetId}].pd-pool[{poolId}].{name}";
}
