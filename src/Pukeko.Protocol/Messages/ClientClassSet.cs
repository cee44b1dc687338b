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

    private readonly List<string> _order = [];
    private HashSet<string>? _members;

    public int Count => _order.Count;

    /// <summary>The class added <paramref name="index"/>-th (0 = first); an indexed loop allocates no enumerator.</summary>
    public string this[int index] => _order[index];

    /// <summary>Adds the class if not present; returns false when it already was.</summary>
    public bool Add(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Contains(name))
        {
            return false;
        }

        _order.Add(name);
        if (_members is not null)
        {
            _members.Add(name);
        }
        else if (_order.Count > LinearLimit)
        {
            _members = new HashSet<string>(_order, StringComparer.Ordinal);
        }

        return true;
    }

    public bool Contains(string name)
    {
        if (_members is not null)
        {
            return _members.Contains(name);
        }

        foreach (var member in _order)
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

        _order.RemoveAt(index);
        _members?.Remove(name);
        return true;
    }

    public IEnumerator<string> GetEnumerator() => _order.GetEnumerator();

    public bool IsProperSubsetOf(IEnumerable<string> other) => Members().IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<string> other) => Members().IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<string> other) => Members().IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<string> other) => Members().IsSupersetOf(other);

    public bool Overlaps(IEnumerable<string> other) => Members().Overlaps(other);

    public bool SetEquals(IEnumerable<string> other) => Members().SetEquals(other);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string name)
    {
        for (var i = 0; i < _order.Count; i++)
        {
            if (string.Equals(_order[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The hash set for the set comparisons (rare): the one kept for a large set, else made for the call.</summary>
    private HashSet<string> Members() => _members ?? new HashSet<string>(_order, StringComparer.Ordinal);

    /// <summary>Kea's log form: names separated by ", ".</summary>
    public override string ToString() => string.Join(", ", _order);
}
