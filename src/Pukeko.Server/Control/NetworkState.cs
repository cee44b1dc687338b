namespace Pukeko.Server.Control;

/// <summary>
/// Whether the DHCP service is enabled (<c>dhcp-disable</c>/<c>dhcp-enable</c>). As in Kea, each origin (the
/// operator, an HA partner, ...) disables independently and the service runs only when no origin holds it
/// disabled; <c>max-period</c> re-enables one origin automatically.
/// </summary>
internal sealed class NetworkState(TimeProvider time) : Pukeko.Hooks.Configuration.INetworkState, IDisposable
{
    public const string UserOrigin = "user";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ITimer?> _disabledBy = new(StringComparer.Ordinal);

    /// <summary>Raised (outside the lock) whenever <see cref="Enabled"/> may have changed.</summary>
    public event Action<bool>? Changed;

    public bool Enabled
    {
        get
        {
            lock (_gate)
            {
                return _disabledBy.Count == 0;
            }
        }
    }

    /// <summary>The origins currently holding the service disabled.</summary>
    public IReadOnlyList<string> DisabledBy
    {
        get
        {
            lock (_gate)
            {
                return [.. _disabledBy.Keys];
            }
        }
    }

    public void Disable(string origin, TimeSpan? maxPeriod)
    {
        lock (_gate)
        {
            if (_disabledBy.Remove(origin, out var old))
            {
                old?.Dispose();
            }

            var timer = maxPeriod is { } period
                ? time.CreateTimer(static state => OnTimer(state!), (this, origin), period, Timeout.InfiniteTimeSpan)
                : null;
            _disabledBy[origin] = timer;
        }

        Changed?.Invoke(false);
    }

    public void Enable(string origin)
    {
        bool enabled;
        lock (_gate)
        {
            if (_disabledBy.Remove(origin, out var timer))
            {
                timer?.Dispose();
            }

            enabled = _disabledBy.Count == 0;
        }

        Changed?.Invoke(enabled);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var timer in _disabledBy.Values)
            {
                timer?.Dispose();
            }

            _disabledBy.Clear();
        }
    }

    private static void OnTimer(object state)
    {
        var (owner, origin) = ((NetworkState, string))state;
        owner.Enable(origin);
    }
}
