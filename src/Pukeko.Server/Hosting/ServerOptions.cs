using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;

namespace Pukeko.Server.Hosting;

/// <summary>What the command line decides: the config file and the ports (<c>-c</c>, <c>-p</c>, <c>-P</c>).</summary>
internal sealed record ServerOptions(string ConfigFile, ushort ServerPort = 547, ushort ClientPort = 546)
{
    /// <summary>Texts for <c>version-get</c> and <c>build-report</c>.</summary>
    public ServerVersion Version { get; init; } = ServerVersion.Unknown;

    /// <summary>
    /// Opens the PostgreSQL lease database (<c>"type": "postgresql"</c>); supplied by the host, since the backend lives
    /// in its own assembly (Pukeko.Server.PostgreSql, with the Npgsql dependency). Null: such a configuration is refused.
    /// </summary>
    public Func<SqlDatabaseAccess, ILoggerFactory, CancellationToken, Task<ILeaseStore>>? OpenPostgreSqlLeaseStore { get; init; }

    /// <summary>Opens a PostgreSQL host database (<c>hosts-database(s)</c>); supplied by the host as the lease store is.</summary>
    public Func<HostsDatabaseConfig, ILoggerFactory, CancellationToken, Task<Reservations.IHostDataSource>>? OpenPostgreSqlHostSource { get; init; }

    /// <summary>
    /// Creates the forensic log's PostgreSQL sink (<c>libdhcp_legal_log.so</c> with <c>"type": "postgresql"</c>);
    /// supplied by the host as the lease store is. Null: such a library entry fails to load.
    /// </summary>
    public Func<SqlDatabaseAccess, ILoggerFactory, BuiltIn.ForensicLog.IForensicLogSink>? OpenPostgreSqlForensicLog { get; init; }
}
