namespace Pukeko.Server.HighAvailability;

/// <summary>
/// Clients whose lease updates the partner rejected as conflicts (Kea 2.3.1+'s rejected lease updates): each
/// remembered for a day unless a later update for it succeeds; as many distinct clients as
/// <c>max-rejected-lease-updates</c> (0: never) stop the relationship (<c>terminated</c>). Thread-safe.
/// </summary>
internal sealed class HaRejectedClients(int limit, TimeProvider time)
{
    /// <summary>How long a rejection counts (Kea: 24 hours).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    /// <summary>Distinct clients rejected within their lifetime.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                foreach (var expired in _until.Where(e => e.Value <= now).Select(e => e.Key).ToList())
                {
                    _until.Remove(expired);
                }

                return _until.Count;
            }
        }
    }

    public bool ShouldTerminate => limit > 0 && Count >= limit;

    public void Rejected(string client)
    {
        lock (_gate)
        {
            _until[client] = time.GetUtcNow() + Lifetime;
        }
    }

    public void Succeeded(string client)
    {
        lock (_gate)
        {
            _until.Remove(client);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _until.Clear();
        }
    }
}
