using System.Collections;

namespace Pukeko.Protocol.Messages;

/// <summary>
/// The client classes of a packet in the order they were added. Order matters: options and lifetimes are taken
/// from the first class that defines them (Kea evaluates classes in configuration order).
/// </summary>
public sealed class ClientClassSet : IReadOnlySet<string>
{
    // A packet has a handful of classes: a linear search of the list beats hashing, and the hash set (with its
    // arrays, several hundred bytes per packet) is made only once the set grows past this.
    private const int LinearLimit = 8;

    // The names in order, in an array of the set's own (made at the first add) rather than a List: one object less
    // per packet.
    private string[] _order = [];
    private int _count;
    private HashSet<string>? _members;

    public int Count => _count;

    /// <summary>The class added <paramref name="index"/>-th (0 = first); an indexed loop allocates no enumerator.</summary>
    public string this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return _order[index];
        }
    }

    /// <summary>The names in order.</summary>
    private ReadOnlySpan<string> Names => _order.AsSpan(0, _count);

    /// <summary>Removes every class; the set keeps its storage for the classes added next.</summary>
    public void Clear()
    {
        Array.Clear(_order, 0, _count);
        _count = 0;
        _members = null;
    }

    /// <summary>Adds the class if not present; returns false when it already was.</summary>
    public bool Add(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Contains(name))
        {
            return false;
        }

        if (_count == _order.Length)
        {
            Array.Resize(ref _order, _order.Length == 0 ? 4 : _order.Length * 2);
        }

        _order[_count++] = name;
        if (_members is not null)
        {
            _members.Add(name);
        }
        else if (_count > LinearLimit)
        {
            _members = NewSet();
        }

        return true;
    }

    public bool Contains(string name)
    {
        if (_members is not null)
        {
            return _members.Contains(name);
        }

        foreach (var member in Names)
        {
            if (string.Equals(member, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public bool Remove(string name)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _count--;
        Array.Copy(_order, index + 1, _order, index, _count - index);
        _order[_count] = null!;
        _members?.Remove(name);
        return true;
    }

    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _order[i];
        }
    }

    public bool IsProperSubsetOf(IEnumerable<string> other) => Members().IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<string> other) => Members().IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<string> other) => Members().IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<string> other) => Members().IsSupersetOf(other);

    public bool Overlaps(IEnumerable<string> other) => Members().Overlaps(other);

    public bool SetEquals(IEnumerable<string> other) => Members().SetEquals(other);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_order[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The hash set for the set comparisons (rare): the one kept for a large set, else made for the call.</summary>
    private HashSet<string> Members() => _members ?? NewSet();

    private HashSet<string> NewSet()
    {
        var set = new HashSet<string>(_count, StringComparer.Ordinal);
        foreach (var name in Names)
        {
            set.Add(name);
        }

        return set;
    }

    /// <summary>Kea's log form: names separated by ", ".</summary>
    public override string ToString() => string.Join(", ", Names);
}
