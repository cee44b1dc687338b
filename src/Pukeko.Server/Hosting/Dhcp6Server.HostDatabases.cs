using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.Hosting;

/// <summary>
/// The host databases (<c>hosts-database(s)</c>): opened with a configuration that names them, kept across
/// reconfigurations that name the same ones, closed when replaced or at shutdown. Each one that can lose its connection
/// is watched by a <see cref="DatabaseRecovery"/> with its own <c>on-fail</c> and reconnect settings, as Kea watches
/// its host backends.
/// </summary>
internal sealed partial class Dhcp6Server
{
    private IReadOnlyList<IHostDataSource> _hostSources = [];
    private IReadOnlyList<HostsDatabaseConfig> _hostDatabases = [];
    private List<DatabaseRecovery> _hostRecoveries = [];

    /// <summary>The open host databases; for tests and diagnostics.</summary>
    internal IReadOnlyList<IHostDataSource> HostSources => _hostSources;

    /// <summary>Opens the host databases <paramref name="config"/> names, or null when they are the open ones.</summary>
    private async Task<IReadOnlyList<IHostDataSource>?> OpenHostSourcesIfChangedAsync(DhcpConfig config)
    {
        if (_hostDatabases.SequenceEqual(config.HostsDatabases))
        {
            return null;
        }

        if (config.HostsDatabases.Count > 0 && _options.OpenPostgreSqlHostSource is null)
        {
            throw new ConfigurationRejectedException([new ConfigError("Dhcp6/hosts-database/type", "hosts database type 'postgresql' is not available in this host")]);
        }

        var opened = new List<IHostDataSource>(config.HostsDatabases.Count);
        try
        {
            foreach (var database in config.HostsDatabases)
            {
                opened.Add(await _options.OpenPostgreSqlHostSource!(database, _loggers, CancellationToken.None).ConfigureAwait(false));
            }
        }
        catch
        {
            await CloseHostSourcesAsync(opened).ConfigureAwait(false);
            throw;
        }

        return opened;
    }

    /// <summary>Makes <paramref name="opened"/> the serving host databases; returns the ones they replace.</summary>
    private IReadOnlyList<IHostDataSource> SwapHostSources(IReadOnlyList<IHostDataSource> opened, IReadOnlyList<HostsDatabaseConfig> databases)
    {
        var replaced = _hostSources;
        foreach (var recovery in _hostRecoveries)
        {
            recovery.Dispose();
        }

        _hostSources = opened;
        _hostDatabases = databases;
        _hostRecoveries = [];
        for (var i = 0; i < opened.Count; i++)
        {
            if (opened[i] is Databases.IRecoverableConnection connection)
            {
                _hostRecoveries.Add(new DatabaseRecovery(
                    connection, databases[i].Access, _network, RequestShutdown, _loggers.CreateLogger(Logging.KeaLoggers.Dhcp6), _time,
                    origin: DatabaseRecovery.HostsOrigin(i), hosts: true));
            }
        }

        return replaced;
    }

    private async Task CloseHostSourcesAsync(IReadOnlyList<IHostDataSource>? sources)
    {
        foreach (var source in sources ?? [])
        {
            try
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogWarning(new EventId(0, "HOSTS_CFG_CLOSE_HOST_DATA_SOURCE"), ex, "closing a host database failed");
            }
        }
    }
}
