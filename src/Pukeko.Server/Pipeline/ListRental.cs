namespace Pukeko.Server.Pipeline;

/// <summary>
/// Lists one query borrows for its own bookkeeping (the leases of an IA, the client's hints) and gives back all at
/// once when it ends. Kept in the <see cref="ProcessingContext"/>, which a worker reuses, so steady traffic borrows
/// the same few lists again instead of making new ones per IA.
/// </summary>
/// <remarks>A borrowed list must not outlive its query: it is cleared and handed to the next one.</remarks>
internal struct ListRental<T>
{
    private List<T>?[]? _lists;
    private int _rented;

    /// <summary>How many lists the current query has borrowed.</summary>
    public readonly int Rented => _rented;

    /// <summary>An empty list that is the caller's until <see cref="ReturnAll"/>.</summary>
    public List<T> Rent()
    {
        _lists ??= new List<T>?[4];
        if (_rented == _lists.Length)
        {
            Array.Resize(ref _lists, _lists.Length * 2);
        }

        var list = _lists[_rented] ??= new List<T>(1);
        _rented++;
        return list;
    }

    /// <summary>Empties every borrowed list for the next query.</summary>
    public void ReturnAll()
    {
        for (var i = 0; i < _rented; i++)
        {
            var list = _lists![i]!;
            if (list.Capacity > RentalLimits.MaxKept)
            {
                _lists[i] = null;
            }
            else
            {
                list.Clear();
            }
        }

        _rented = 0;
    }
}
