using Microsoft.Extensions.Logging;
using Pukeko.Server.Configuration;

namespace Pukeko.Server.BuiltIn.ForensicLog;

/// <summary>
/// Where forensic entries go (Kea's legal store backends: file, syslog, database). <see cref="Write"/> either takes the
/// entry or throws (<see cref="ForensicLogWriteException"/>, <see cref="IOException"/>); the library then logs the
/// failure with <paramref name="errorId"/> and its callout returns an error, as Kea's does.
/// </summary>
internal interface IForensicLogSink : IDisposable
{
    /// <summary>
    /// Writes one entry. <paramref name="address"/> is the lease's address (<c>address/length</c> for a prefix), empty
    /// when the entry has none; <paramref name="errorId"/> is the message id for a failure found after the call
    /// returned (a sink that writes in the background).
    /// </summary>
    void Write(string text, string address, string errorId);

    /// <summary>Entries this sink took and then failed to store (found after <see cref="Write"/> returned).</summary>
    long DeferredFailures => 0;
}

/// <summary>A forensic entry could not be stored; the message says why.</summary>
internal sealed class ForensicLogWriteException : Exception
{
    public ForensicLogWriteException()
    {
    }

    public ForensicLogWriteException(string message)
        : base(message)
    {
    }

    public ForensicLogWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// What the forensic log's non-file backends need from the host: the system log socket and, since the PostgreSQL code
/// lives in its own assembly (Pukeko.Server.PostgreSql, with the Npgsql dependency), the opener of the database sink.
/// </summary>
internal sealed record ForensicLogBackends
{
    /// <summary>The local syslog datagram socket; tests bind their own.</summary>
    public string SyslogSocketPath { get; init; } = "/dev/log";

    /// <summary>
    /// Creates the sink of <c>"type": "postgresql"</c>. It must not connect before its first entry (so that <c>-t</c>
    /// connects to nothing) and must not block the caller of <see cref="IForensicLogSink.Write"/> on the database.
    /// Null: that type fails to load, saying this host has no PostgreSQL backend.
    /// </summary>
    public Func<SqlDatabaseAccess, ILoggerFactory, IForensicLogSink>? OpenPostgreSql { get; init; }

    public static ForensicLogBackends Default { get; } = new();
}
