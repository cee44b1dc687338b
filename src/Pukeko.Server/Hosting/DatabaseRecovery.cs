using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Control;
using Pukeko.Server.Databases;

namespace Pukeko.Server.Hosting;

/// <summary>
/// Kea's database recovery, for the lease database and for each host database: when one reports its connection
/// lost, DHCP service is disabled (with
/// <c>on-fail</c> <c>stop-retry-exit</c>) and the connection is tried at once, then up to
/// <c>max-reconnect-tries</c> more times every <c>reconnect-wait-time</c> ms. Success enables the service again;
/// running out of tries shuts the server down with exit code 1 (the <c>-exit</c> modes) or keeps it running, the next
/// operation trying the database again (<c>serve-retry-continue</c>). Each database disables service under its own
/// origin, so service resumes only when every lost one is back.
/// </summary>
internal sealed class DatabaseRecovery : IDisposable
{
    /// <summary>The <see cref="NetworkState"/> origin that <c>status-get</c> reports as <c>disabled-by-db-connection</c>.</summary>
    public const string Origin = "db-connection";

    /// <summary>The origin of the <paramref name="index"/>-th host database (status-get counts it as a database connection too).</summary>
    public static string HostsOrigin(int index) => $"{Origin}:hosts[{index}]";

    /// <summary>Whether a <see cref="NetworkState"/> origin is one of a database's.</summary>
    public static bool IsDatabaseOrigin(string origin) =>
        origin == Origin || origin.StartsWith(Origin + ":", StringComparison.Ordinal);

    private readonly IRecoverableConnection _store;
    private readonly string _origin;
    private readonly string _kind;
    private readonly SqlDatabaseAccess _policy;
    private readonly NetworkState _network;
    private readonly Action<int> _shutdown;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<CancellationToken, Task>? _reconnected;
    private int _recovering;

    /// <param name="origin">The <see cref="NetworkState"/> origin it disables service under (<see cref="Origin"/> for leases).</param>
    /// <param name="hosts">A host database: Kea's HOST_DB message ids instead of LEASE_DB.</param>
    public DatabaseRecovery(
        IRecoverableConnection store, SqlDatabaseAccess policy, NetworkState network, Action<int> shutdown, ILogger log, TimeProvider time,
        Func<CancellationToken, Task>? reconnected = null, string origin = Origin, bool hosts = false)
    {
        _origin = origin;
        _kind = hosts ? "HOST" : "LEASE";
        _reconnected = reconnected;
        _store = store;
        _policy = policy;
        _network = network;
        _shutdown = shutdown;
        _log = log;
        _time = time;
        _store.ConnectionLost += OnConnectionLost;

        // retry-on-startup: the store came up without a connection; recover as from a lost one.
        if (store.OpenFailure is { } failure)
        {
            OnConnectionLost(failure);
        }
    }

    /// <summary>The recovery under way, if any (tests).</summary>
    internal Task Recovering { get; private set; } = Task.CompletedTask;

    private bool StopsService => _policy.OnFail == DatabaseOnFail.StopRetryExit;

    private bool ExitsOnFailure => _policy.OnFail != DatabaseOnFail.ServeRetryContinue;

    private void OnConnectionLost(Exception cause)
    {
        if (Interlocked.Exchange(ref _recovering, 1) == 0 && !_stop.IsCancellationRequested)
        {
            Recovering = Task.Run(() => RecoverAsync(cause));
        }
    }

    private async Task RecoverAsync(Exception cause)
    {
        try
        {
            _log.LogError(new EventId(0, "DHCPSRV_PGSQL_FATAL_ERROR"), "Unrecoverable PostgreSQL error occurred: {Reason}", cause.Message);
            if (StopsService)
            {
                _network.Disable(_origin, null);
            }

            _log.LogInformation(new EventId(0, "DHCP6_DB_RECONNECT_LOST_CONNECTION"), "database connection lost");
            if (_policy.MaxReconnectTries == 0 || _policy.ReconnectWaitTime == 0)
            {
                _log.LogInformation(new EventId(0, "DHCP6_DB_RECONNECT_DISABLED"), "database reconnect is disabled: retries left: {Tries}, reconnect wait time: {Wait}", _policy.MaxReconnectTries, _policy.ReconnectWaitTime);
                GiveUp();
                return;
            }

            for (var attempt = 0; attempt <= _policy.MaxReconnectTries; attempt++)
            {
                if (attempt > 0)
                {
                    _log.LogInformation(new EventId(0, $"DHCPSRV_PGSQL_{_kind}_DB_RECONNECT_ATTEMPT_SCHEDULE"), "scheduling attempt {Attempt} of {Max} in {Wait} milliseconds", attempt, _policy.MaxReconnectTries, _policy.ReconnectWaitTime);
                    await Task.Delay(TimeSpan.FromMilliseconds(_policy.ReconnectWaitTime), _time, _stop.Token).ConfigureAwait(false);
                }

                try
                {
                    await _store.ReconnectAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _log.LogError(new EventId(0, $"DHCPSRV_PGSQL_{_kind}_DB_RECONNECT_ATTEMPT_FAILED"), "database reconnect failed: {Reason}", ex.Message);
                    continue;
                }

                if (_reconnected is { } reconnected)
                {
                    // Before service resumes (statistics a start without the database could not count).
                    try
                    {
                        await reconnected(_stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _log.LogWarning(new EventId(0, "DHCP6_DB_RECONNECT_NO_RECOUNT"), "lease statistics not recounted after reconnecting: {Reason}", ex.Message);
                    }
                }

                Volatile.Write(ref _recovering, 0);
                if (StopsService)
                {
                    _network.Enable(_origin);
                }

                _log.LogInformation(new EventId(0, "DHCP6_DB_RECONNECT_SUCCEEDED"), "database connection recovered");
                return;
            }

            _log.LogError(new EventId(0, $"DHCPSRV_PGSQL_{_kind}_DB_RECONNECT_FAILED"), "maximum number of database reconnect attempts: {Max}, has been exhausted without success", _policy.MaxReconnectTries);
            _log.LogInformation(new EventId(0, "DHCP6_DB_RECONNECT_FAILED"), "maximum number of database reconnect attempts: {Max}, has been exhausted without success", _policy.MaxReconnectTries);
            GiveUp();
        }
        catch (OperationCanceledException)
        {
            // The store was replaced or the server is stopping.
        }
    }

    private void GiveUp()
    {
        if (ExitsOnFailure)
        {
            _shutdown(1);
            return;
        }

        // serve-retry-continue: keep running; the next lease operation tries the database and, if it is still
        // down, starts another recovery.
        Volatile.Write(ref _recovering, 0);
        _store.TryAgainOnDemand();
    }

    /// <summary>Stops recovering (the store is being replaced or closed); service disabled by it is enabled again.</summary>
    public void Dispose()
    {
        _store.ConnectionLost -= OnConnectionLost;
        _stop.Cancel();
        _network.Enable(_origin);

        // _stop is not disposed: a recovery still finishing may read its token.
    }
}
