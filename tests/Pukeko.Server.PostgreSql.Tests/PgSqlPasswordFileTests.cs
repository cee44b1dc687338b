using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// Kea 3.3's <c>password-file</c> against a PostgreSQL that requires a password: pg_hba.conf asks every TCP
/// connection on 127.0.0.1 for a SCRAM password (the Unix socket stays trusted for the cluster's own set-up). The
/// configuration is read as the server reads it, so the password comes from the file only.
/// </summary>
public sealed class PgSqlPasswordFileTests : IAsyncLifetime
{
    private static readonly int TcpPort = LoopbackPorts.Free();
    private readonly PostgreSqlCluster _cluster = new() { ServerPort = TcpPort, ListenAddresses = "127.0.0.1", Prepare = RequirePasswordAsync };
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("pukeko-pgpass-");
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        if (PostgreSqlCluster.MissingReason is null)
        {
            _database = await _cluster.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _files.Delete(recursive: true);
    }

    [PostgreSqlFact]
    public async Task The_lease_and_hosts_databases_connect_with_the_password_read_from_the_file()
    {
        var file = Write("kea-password", PostgreSqlCluster.Password + "\n");
        var config = Load(file);
        Assert.Equal(file, config.LeaseDatabase.Sql!.PasswordFile);

        using var store = await PgSqlLeaseStore.OpenAsync(PgSqlLeaseDatabaseSettings.From(config.LeaseDatabase.Sql), NullLogger.Instance);
        Assert.Null(await store.GetAsync(Ipv6Address.Parse("2001:db8:1::42")));
        await using (var command = store.DataSource.CreateCommand("SELECT inet_server_addr()::text, current_user"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(("127.0.0.1/32", PostgreSqlCluster.User), (reader.GetString(0), reader.GetString(1)));
        }

        await using var hosts = await PgSqlHostDataSource.OpenAsync(Assert.Single(config.HostsDatabases), NullLogger.Instance);
    }

    [PostgreSqlFact]
    public async Task The_server_refuses_a_wrong_password_from_the_file_and_no_password_at_all()
    {
        var wrong = Load(Write("wrong-password", "not-" + PostgreSqlCluster.Password)).LeaseDatabase.Sql!;
        var refused = await Assert.ThrowsAsync<PostgresException>(() => PgSqlLeaseStore.OpenAsync(PgSqlLeaseDatabaseSettings.From(wrong), NullLogger.Instance));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        // Without the file there is no password, and the server asks for one: the test's server does require it.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PgSqlLeaseStore.OpenAsync(PgSqlLeaseDatabaseSettings.From(wrong with { Password = null }), NullLogger.Instance));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_files.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private DhcpConfig Load(string passwordFile)
    {
        var environment = new ConfigEnvironment(_files.FullName, _files.FullName, _files.FullName, _files.FullName);
        var access = $$"""
            "type": "postgresql", "name": "{{_database}}", "host": "127.0.0.1", "port": {{TcpPort}}, "user": "{{PostgreSqlCluster.User}}",
            "password-file": "{{passwordFile}}"
            """;
        var loaded = ConfigLoader.LoadText($$"""
            { "Dhcp6": { "lease-database": { {{access}} }, "hosts-database": { {{access}}, "readonly": true }, "subnet6": [] } }
            """, null, environment);
        Assert.True(loaded.Success, string.Join("; ", loaded.Errors));
        return loaded.Config!;
    }

    /// <summary>The Unix socket trusted (the cluster's set-up and kea-admin); TCP on 127.0.0.1 only with a SCRAM password.</summary>
    private static Task<string> RequirePasswordAsync(PostgreSqlCluster cluster)
    {
        File.WriteAllText(Path.Combine(cluster.DataDirectory, "pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        return Task.FromResult("-c password_encryption=scram-sha-256");
    }
}
