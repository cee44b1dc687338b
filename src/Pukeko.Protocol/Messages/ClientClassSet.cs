using System.Collections;

namespace Pukeko.Protocol.Messages;

/// <summary>
/// The client classes of a packet in the order they were added. Order matters: options and lifetimes are taken
/// from the first class that defines them (Kea evaluates classes in configuration order).
/// </summary>
public sealed class ClientClassSet : IReadOnlySet<string>
{
    private readonly List<string> _order = [];
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    public int Count => _order.Count;

    /// <summary>Adds the class if not present; returns false when it already was.</summary>
    public bool Add(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_members.Add(name))
        {
            return false;
        }

        _order.Add(name);
        return true;
    }

    public bool Contains(string name) => _members.Contains(name);

    public bool Remove(string name)
    {
        if (!_members.Remove(name))
        {
            return false;
        }

        _order.Remove(name);
        return true;
    }

    public IEnumerator<string> GetEnumerator() => _order.GetEnumerator();

    public bool IsProperSubsetOf(IEnumerable<string> other) => _members.IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<string> other) => _members.IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<string> other) => _members.IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<string> other) => _members.IsSupersetOf(other);

    public bool Overlaps(IEnumerable<string> other) => _members.Overlaps(other);

    public bool SetEquals(IEnumerable<string> other) => _members.SetEquals(other);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Kea's log form: names separated by ", ".</summary>
    public override string ToString() => string.Join(", ", _order);
}
