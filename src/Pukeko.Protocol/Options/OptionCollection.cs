using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Pukeko.Protocol.Options;

/// <summary>
/// Ordered options of a message, relay level or encapsulating option. Duplicates are allowed
/// (a client may send several IA_NA). Lookups are linear: option lists are short. The options live in an array of
/// its own rather than a <see cref="List{T}"/>, made at the first add: a packet has a collection per message, IA and
/// address, and many of them stay empty.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a collection.")]
public sealed class OptionCollection : IEnumerable<DhcpOption>
{
    private const int FirstCapacity = 4;

    private DhcpOption[] _options = [];
    private int _count;

    // While the parser refills this collection: how many options of the last parse are still in _options, past the
    // ones parsed so far, for the decoder to fill again (BeginRefill).
    private int _refillable;

    public int Count => _count;

    /// <summary>
    /// While true (the server sets it around hook callouts), every option retrieved by index,
    /// <see cref="Get(ushort)"/>, <see cref="GetAll"/> or enumeration is first replaced in this
    /// collection by a deep copy, and the copy is returned. Configured options are shared between
    /// replies, so a callout that edits what it retrieved changes this packet only (Kea's
    /// <c>setCopyRetrievedOptions</c>).
    /// </summary>
    public bool CopyRetrievedOptions { get; set; }

    public DhcpOption this[int index] => Retrieve(index);

    /// <summary>The option at <paramref name="index"/>, swapped for a copy first when <see cref="CopyRetrievedOptions"/> is on.</summary>
    private DhcpOption Retrieve(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        var option = _options[index];
        if (CopyRetrievedOptions)
        {
            option = option.Clone();
            _options[index] = option;
        }

        return option;
    }

    public void Add(DhcpOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (_count == _options.Length)
        {
            Grow();
        }

        _options[_count++] = option;
    }

    public void Insert(int index, DhcpOption option)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)_count, nameof(index));
        if (_count == _options.Length)
        {
            Grow();
        }

        Array.Copy(_options, index, _options, index + 1, _count - index);
        _options[index] = option;
        _count++;
    }

    /// <summary>Makes room for <paramref name="count"/> options in all, when the caller knows how many are coming.</summary>
    internal void EnsureCapacity(int count)
    {
        if (count > _options.Length)
        {
            Array.Resize(ref _options, count);
        }
    }

    private void Grow() => Array.Resize(ref _options, _options.Length == 0 ? FirstCapacity : _options.Length * 2);

    /// <summary>First option with <paramref name="code"/>, or null.</summary>
    public DhcpOption? Get(ushort code)
    {
        var index = IndexOf(code);
        return index < 0 ? null : Retrieve(index);
    }

    /// <summary>First option with <paramref name="code"/> if it is a <typeparamref name="T"/>, else null.</summary>
    public T? Get<T>(ushort code)
        where T : DhcpOption => Get(code) as T;

    /// <summary>Index of the first option with <paramref name="code"/> at or after <paramref name="startIndex"/>, or -1.</summary>
    public int IndexOf(ushort code, int startIndex = 0)
    {
        for (var i = startIndex; i < _count; i++)
        {
            if (_options[i].Code == code)
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexOf(DhcpOption option) => Array.IndexOf(_options, option, 0, _count);

    /// <summary>All options with <paramref name="code"/> in order (allocates an iterator).</summary>
    public IEnumerable<DhcpOption> GetAll(ushort code)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_options[i].Code == code)
            {
                yield return Retrieve(i);
            }
        }
    }

    public int CountOf(ushort code)
    {
        var count = 0;
        foreach (var option in Stored)
        {
            if (option.Code == code)
            {
                count++;
            }
        }

        return count;
    }

    public bool Contains(ushort code) => IndexOf(code) >= 0;

    /// <summary>Removes every option with <paramref name="code"/>; returns how many were removed.</summary>
    public int RemoveAll(ushort code)
    {
        var kept = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_options[i].Code != code)
            {
                _options[kept++] = _options[i];
            }
        }

        var removed = _count - kept;
        Array.Clear(_options, kept, removed);
        _count = kept;
        return removed;
    }

    public bool Remove(DhcpOption option)
    {
        var index = IndexOf(option);
        if (index < 0)
        {
            return false;
        }

        RemoveAt(index);
        return true;
    }

    public void RemoveAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        _count--;
        Array.Copy(_options, index + 1, _options, index, _count - index);
        _options[_count] = null!;
    }

    /// <summary>Puts <paramref name="newOption"/> where <paramref name="oldOption"/> (same instance) was.</summary>
    public void Replace(DhcpOption oldOption, DhcpOption newOption)
    {
        ArgumentNullException.ThrowIfNull(newOption);
        var index = IndexOf(oldOption);
        if (index < 0)
        {
            throw new ArgumentException("option is not in this collection", nameof(oldOption));
        }

        _options[index] = newOption;
    }

    public void Clear()
    {
        Array.Clear(_options, 0, _count);
        _count = 0;
    }

    /// <summary>
    /// Empties the collection for the parser, keeping its options aside so that the decoder can fill each again with
    /// the new content at the same position (<see cref="Refillable"/>); <see cref="EndRefill"/> lets go of those left.
    /// </summary>
    internal void BeginRefill()
    {
        _refillable = _count;
        _count = 0;
    }

    /// <summary>The option the last parse put at the next position, if it has <paramref name="code"/>; else null.</summary>
    internal DhcpOption? Refillable(ushort code) =>
        _count < _refillable && _options[_count] is { } old && old.Code == code ? old : null;

    /// <summary>Ends a refill: options of the last parse that were not filled again are let go.</summary>
    internal void EndRefill()
    {
        if (_refillable > _count)
        {
            Array.Clear(_options, _count, _refillable - _count);
        }

        _refillable = 0;
    }

    /// <summary>The options as stored, without copy-on-retrieve: for the collection's own reads.</summary>
    private ReadOnlySpan<DhcpOption> Stored => _options.AsSpan(0, _count);

    /// <summary>Sum of the options' total lengths (headers included).</summary>
    public int DataLength
    {
        get
        {
            var length = 0;
            foreach (var option in Stored)
            {
                length += option.TotalLength;
            }

            return length;
        }
    }

    /// <summary>Writes all options in order; returns the bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var position = 0;
        foreach (var option in Stored)
        {
            position += option.WriteTo(destination[position..]);
        }

        return position;
    }

    /// <summary>Appends deep copies of all options to <paramref name="target"/>.</summary>
    public void CopyTo(OptionCollection target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var option in Stored)
        {
            target.Add(option.Clone());
        }
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<DhcpOption> IEnumerable<DhcpOption>.GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => new Enumerator(this);

    /// <summary>
    /// Allocation-free enumerator for foreach on hot paths. Index-based so that copy-on-retrieve
    /// can swap the current option for its copy while enumerating.
    /// </summary>
    public struct Enumerator : IEnumerator<DhcpOption>
    {
        private readonly OptionCollection _owner;
        private int _index;
        private DhcpOption? _current;

        internal Enumerator(OptionCollection owner)
        {
            _owner = owner;
            _index = -1;
            _current = null;
        }

        public readonly DhcpOption Current => _current!;

        readonly object IEnumerator.Current => _current!;

        public bool MoveNext()
        {
            if (++_index < _owner._count)
            {
                _current = _owner.Retrieve(_index);
                return true;
            }

            _current = null;
            return false;
        }

        void IEnumerator.Reset()
        {
            _index = -1;
            _current = null;
        }

        public readonly void Dispose()
        {
        }
    }
}
