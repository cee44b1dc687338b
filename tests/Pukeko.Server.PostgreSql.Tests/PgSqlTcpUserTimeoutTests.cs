using System.Net.Sockets;
using Npgsql;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// Kea 3.x's <c>tcp-user-timeout</c> on a PostgreSQL reached over TCP (127.0.0.1): every connection of both pools
/// carries it as the kernel's <c>TCP_USER_TIMEOUT</c>, read back from the socket.
/// </summary>
public sealed class PgSqlTcpUserTimeoutTests : IAsyncLifetime
{
    private const int TcpProtocolLevel = 6;
    private const int TcpUserTimeoutOption = 18;
    private static readonly int TcpPort = LoopbackPorts.Free();
    private readonly PostgreSqlCluster _cluster = new() { ServerPort = TcpPort, ListenAddresses = "127.0.0.1" };
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [PostgreSqlFact]
    public async Task Every_TCP_connection_of_both_pools_carries_the_configured_user_timeout()
    {
        var settings = PgSqlLeaseDatabaseSettings.From(
            new SqlDatabaseAccess(_database, "127.0.0.1", TcpPort, PostgreSqlCluster.User, PostgreSqlCluster.Password, 5) { TcpUserTimeout = 7 });
        Assert.Equal(TimeSpan.FromSeconds(7), settings.TcpUserTimeout);
        Assert.Contains("tcp-user-timeout=7", settings.ToString(), StringComparison.Ordinal);

        using var pools = new PgSqlConnectionPools(settings.ToConnectionString(), settings.TcpUserTimeout);
        using var worker = pools.For(blocking: true).OpenConnection();
        await using var other = await pools.Asynchronous.OpenConnectionAsync();
        Assert.Equal(7000, UserTimeout(worker));
        Assert.Equal(7000, UserTimeout(other));
    }

    [PostgreSqlFact]
    public async Task Without_the_key_the_kernels_default_stays()
    {
        var settings = PgSqlLeaseDatabaseSettings.From(
            new SqlDatabaseAccess(_database, "127.0.0.1", TcpPort, PostgreSqlCluster.User, PostgreSqlCluster.Password, 5));
        using var pools = new PgSqlConnectionPools(settings.ToConnectionString(), settings.TcpUserTimeout);
        using var worker = pools.For(blocking: true).OpenConnection();
        await using var other = await pools.Asynchronous.OpenConnectionAsync();
        Assert.Equal(0, UserTimeout(worker));
        Assert.Equal(0, UserTimeout(other));
    }

    private static int UserTimeout(NpgsqlConnection connection)
    {
        var socket = KernelBlockingSockets.SocketOf(connection)!;
        Assert.Equal(AddressFamily.InterNetwork, socket.AddressFamily);
        var value = new byte[sizeof(int)];
        Assert.Equal(sizeof(int), socket.GetRawSocketOption(TcpProtocolLevel, TcpUserTimeoutOption, value));
        return BitConverter.ToInt32(value);
    }
}
