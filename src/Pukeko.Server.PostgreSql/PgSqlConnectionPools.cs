using System.Net.Sockets;
using Npgsql;
using Pukeko.Server.Concurrency;

namespace Pukeko.Server.PostgreSql;

/// <summary>
/// A database's pooled connections in two pools: one for the packet workers, which only ever block on their
/// connections (<see cref="BlockingIo"/>), and one for everything asynchronous (commands, reclamation, recovery,
/// packets resumed on the thread pool). Why two: a worker's connection is made a kernel-blocking socket, as a Kea
/// worker's is (<see cref="KernelBlockingSockets"/>), and such a socket must never be used asynchronously.
/// </summary>
internal sealed class PgSqlConnectionPools : IDisposable, IAsyncDisposable
{
    private const int TcpProtocolLevel = 6; // IPPROTO_TCP
    private const int TcpUserTimeoutOption = 18; // TCP_USER_TIMEOUT (Linux)

    private readonly NpgsqlDataSource _blocking;
    private readonly bool _owned;

    /// <summary>Two pools of one connection string, both owned (disposed with this).</summary>
    /// <param name="tcpUserTimeout">Kea's <c>tcp-user-timeout</c> for every TCP connection; zero = the kernel's default.</param>
    public PgSqlConnectionPools(string connectionString, TimeSpan tcpUserTimeout = default)
        : this(Create(connectionString, tcpUserTimeout, workers: false), Create(connectionString, tcpUserTimeout, workers: true), owned: true)
    {
    }

    private PgSqlConnectionPools(NpgsqlDataSource asynchronous, NpgsqlDataSource blocking, bool owned)
    {
        Asynchronous = asynchronous;
        _blocking = blocking;
        _owned = owned;
    }

    /// <summary>One pool for both, which the caller keeps and disposes (tests, tools): correct, only slower for workers.</summary>
    public static PgSqlConnectionPools Borrowed(NpgsqlDataSource dataSource) => new(dataSource, dataSource, owned: false);

    /// <summary>The pool for asynchronous use.</summary>
    public NpgsqlDataSource Asynchronous { get; }

    /// <summary>The pool for <paramref name="blocking"/> or asynchronous use; the blocking pool's connections are used synchronously only.</summary>
    public NpgsqlDataSource For(bool blocking) => blocking ? _blocking : Asynchronous;

    /// <summary>A pooled connection of the pool for <paramref name="blocking"/> use, opened that way (<see cref="PgSqlConnections"/>).</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(bool blocking, CancellationToken cancellationToken) =>
        PgSqlConnections.OpenAsync(For(blocking), blocking, cancellationToken);

    /// <summary>
    /// A pool whose new physical connections get <paramref name="tcpUserTimeout"/>; a <paramref name="workers"/> pool's
    /// connections opened synchronously are also made kernel-blocking (<see cref="KernelBlockingSockets"/>). One opened
    /// asynchronously is left non-blocking: it may go on being used so.
    /// </summary>
    private static NpgsqlDataSource Create(string connectionString, TimeSpan tcpUserTimeout, bool workers)
    {
        if (tcpUserTimeout <= TimeSpan.Zero && !workers)
        {
            return NpgsqlDataSource.Create(connectionString);
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UsePhysicalConnectionInitializer(
            connection =>
            {
                SetTcpUserTimeout(connection, tcpUserTimeout);
                if (workers)
                {
                    KernelBlockingSockets.TryDetach(connection);
                }
            },
            connection =>
            {
                SetTcpUserTimeout(connection, tcpUserTimeout);
                return Task.CompletedTask;
            });
        return builder.Build();
    }

    private static void SetTcpUserTimeout(NpgsqlConnection connection, TimeSpan timeout)
    {
        if (timeout > TimeSpan.Zero
            && KernelBlockingSockets.SocketOf(connection) is { AddressFamily: AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 } socket)
        {
            Span<byte> milliseconds = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(milliseconds, (int)Math.Min(timeout.TotalMilliseconds, int.MaxValue));
            socket.SetRawSocketOption(TcpProtocolLevel, TcpUserTimeoutOption, milliseconds);
        }
    }

    /// <summary>Drops every idle pooled connection (after the database restarted they are all broken).</summary>
    public void Clear()
    {
        Asynchronous.Clear();
        if (!ReferenceEquals(_blocking, Asynchronous))
        {
            _blocking.Clear();
        }
    }

    public void Dispose()
    {
        if (_owned)
        {
            Asynchronous.Dispose();
            _blocking.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await Asynchronous.DisposeAsync().ConfigureAwait(false);
            await _blocking.DisposeAsync().ConfigureAwait(false);
        }
    }
}
