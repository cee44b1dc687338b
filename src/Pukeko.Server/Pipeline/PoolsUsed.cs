using Pukeko.Server.Configuration;

namespace Pukeko.Server.Pipeline;

/// <summary>
/// The pools that provided a reply's leases, each once, in the order they did (for pool options and pool classes).
/// A value kept in the <see cref="ProcessingContext"/>: nearly every reply has one pool, or two (an address and a
/// delegated prefix), which then cost no list.
/// </summary>
internal struct PoolsUsed
{
    private ILeasePool? _first;
    private ILeasePool? _second;
    private List<ILeasePool>? _more;

    public readonly int Count => _first is null ? 0 : _second is null ? 1 : 2 + (_more?.Count ?? 0);

    public readonly ILeasePool this[int index] => index switch
    {
        0 when _first is not null => _first,
        1 when _second is not null => _second,
        _ => _more![index - 2],
    };

    /// <summary>Adds <paramref name="pool"/> unless it is already here.</summary>
    public void Add(ILeasePool pool)
    {
        if (_first is null)
        {
            _first = pool;
        }
        else if (ReferenceEquals(_first, pool) || ReferenceEquals(_second, pool))
        {
            return;
        }
        else if (_second is null)
        {
            _second = pool;
        }
        else if (_more?.Contains(pool) != true)
        {
            (_more ??= new List<ILeasePool>(2)).Add(pool);
        }
    }

    public readonly Enumerator GetEnumerator() => new(this);

    public struct Enumerator(PoolsUsed pools)
    {
        private int _index = -1;

        public readonly ILeasePool Current => pools[_index];

        public bool MoveNext() => ++_index < pools.Count;
    }
}
