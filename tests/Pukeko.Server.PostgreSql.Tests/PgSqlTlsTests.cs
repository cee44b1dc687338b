using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// Kea 3.x's TLS keys against a real PostgreSQL with <c>ssl=on</c> on 127.0.0.1, certificates made by openssl for the
/// test (a CA, a server certificate for 127.0.0.1/localhost, a client certificate for user <c>kea</c>), and
/// pg_hba.conf accepting TCP only over TLS with a client certificate (<c>cert</c> authentication, no password).
/// </summary>
public sealed class PgSqlTlsTests : IAsyncLifetime
{
    private static readonly int TlsPort = LoopbackPorts.Free();
    private readonly PostgreSqlCluster _cluster = new() { ServerPort = TlsPort, ListenAddresses = "127.0.0.1", Prepare = PrepareTlsAsync };
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

    private string Tls(string file) => Path.Combine(_cluster.SocketDirectory, "tls", file);

    private PgSqlLeaseDatabaseSettings OverTls(SqlDatabaseTls tls) => new()
    {
        Name = _database,
        Host = "127.0.0.1",
        Port = TlsPort,
        User = PostgreSqlCluster.User,
        Tls = tls,
    };

    [PostgreSqlFact]
    public async Task Verify_full_with_a_client_certificate_connects_over_tls_authenticated_by_the_certificate()
    {
        var settings = OverTls(new SqlDatabaseTls(Tls("ca.crt"), Tls("client.crt"), Tls("client.key"), null, "verify-full", null));
        using var store = await PgSqlLeaseStore.OpenAsync(settings, NullLogger.Instance);
        Assert.Null(await store.GetAsync(Ipv6Address.Parse("2001:db8:1::42")));

        await using var command = store.DataSource.CreateCommand("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.Equal("/CN=kea", reader.GetString(1));
    }

    [PostgreSqlFact]
    public async Task A_trust_anchor_alone_means_verify_ca_and_without_a_client_certificate_the_server_refuses()
    {
        var settings = OverTls(new SqlDatabaseTls(Tls("ca.crt"), null, null, null, null, null));
        Assert.Contains("SSL Mode=VerifyCA", settings.ToConnectionString(), StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => PgSqlLeaseStore.OpenAsync(settings, NullLogger.Instance));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
    }

    [PostgreSqlFact]
    public async Task A_server_certificate_from_another_ca_is_refused()
    {
        var settings = OverTls(new SqlDatabaseTls(Tls("other-ca.crt"), Tls("client.crt"), Tls("client.key"), null, "verify-ca", null));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PgSqlLeaseStore.OpenAsync(settings, NullLogger.Instance));
    }

    [PostgreSqlFact]
    public async Task An_encrypted_client_key_is_read_with_key_password()
    {
        var settings = OverTls(new SqlDatabaseTls(Tls("ca.crt"), Tls("client.crt"), Tls("client-encrypted.key"), "keypass", "verify-full", null));
        using var store = await PgSqlLeaseStore.OpenAsync(settings, NullLogger.Instance);
        Assert.Null(await store.GetAsync(Ipv6Address.Parse("2001:db8:1::42")));
    }

    [PostgreSqlFact]
    public async Task A_hosts_database_takes_the_same_tls_keys()
    {
        var access = SqlDatabaseAccess.Default with
        {
            Name = _database,
            Host = "127.0.0.1",
            Port = TlsPort,
            User = PostgreSqlCluster.User,
            Password = null,
            Tls = new SqlDatabaseTls(Tls("ca.crt"), Tls("client.crt"), Tls("client.key"), null, "verify-full", null),
        };
        await using (var hosts = await PgSqlHostDataSource.OpenAsync(new HostsDatabaseConfig(access, ReadOnly: true), NullLogger.Instance))
        {
            Assert.Empty(await hosts.FindByAddressAsync(1, Ipv6Address.Parse("2001:db8:1::42")));
        }

        // Without its client certificate the server refuses it, as it refuses the lease store.
        var withoutCertificate = access with { Tls = new SqlDatabaseTls(Tls("ca.crt"), null, null, null, "verify-full", null) };
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PgSqlHostDataSource.OpenAsync(new HostsDatabaseConfig(withoutCertificate, ReadOnly: true), NullLogger.Instance));
    }

    [Fact]
    public void Kea_maps_the_keys_to_libpqs_and_any_of_them_requires_tls()
    {
        var requireOnly = PgSqlLeaseDatabaseSettings.From(SqlDatabaseAccess.Default with { Name = "kea", Tls = new(null, "/c.pem", "/c.key", null, null, "HIGH") });
        var builder = new NpgsqlConnectionStringBuilder(requireOnly.ToConnectionString());
        Assert.Equal((SslMode.Require, "/c.pem", "/c.key", GssEncryptionMode.Disable), (builder.SslMode, builder.SslCertificate, builder.SslKey, builder.GssEncryptionMode));

        var none = new NpgsqlConnectionStringBuilder(PgSqlLeaseDatabaseSettings.From(SqlDatabaseAccess.Default with { Name = "kea" }).ToConnectionString());
        Assert.Equal(SslMode.Prefer, none.SslMode);
    }

    /// <summary>Makes the certificates, turns TLS on and allows TCP only with a client certificate.</summary>
    private static async Task<string> PrepareTlsAsync(PostgreSqlCluster cluster)
    {
        var dir = Path.Combine(cluster.SocketDirectory, "tls");
        Directory.CreateDirectory(dir);
        string F(string name) => Path.Combine(dir, name);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await OpenSsl(["req", "-x509", .. ec, "-keyout", F("ca.key"), "-out", F("ca.crt"), "-days", "2", "-subj", "/CN=Pukeko test CA"]);
        await OpenSsl(["req", "-x509", .. ec, "-keyout", F("other-ca.key"), "-out", F("other-ca.crt"), "-days", "2", "-subj", "/CN=Another CA"]);
        File.WriteAllText(F("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        await OpenSsl(["req", .. ec, "-keyout", F("server.key"), "-out", F("server.csr"), "-subj", "/CN=localhost"]);
        await OpenSsl(["x509", "-req", "-in", F("server.csr"), "-CA", F("ca.crt"), "-CAkey", F("ca.key"), "-CAcreateserial", "-out", F("server.crt"), "-days", "2", "-extfile", F("server.ext")]);
        await OpenSsl(["req", .. ec, "-keyout", F("client.key"), "-out", F("client.csr"), "-subj", "/CN=kea"]);
        await OpenSsl(["x509", "-req", "-in", F("client.csr"), "-CA", F("ca.crt"), "-CAkey", F("ca.key"), "-CAcreateserial", "-out", F("client.crt"), "-days", "2"]);
        await OpenSsl(["pkcs8", "-topk8", "-in", F("client.key"), "-out", F("client-encrypted.key"), "-passout", "pass:keypass"]);
        await PostgreSqlCluster.RunProgramAsync("chmod", ["600", F("server.key")]);
        if (Environment.IsPrivilegedProcess)
        {
            await PostgreSqlCluster.RunProgramAsync("chown", ["-R", "postgres:postgres", dir]);
        }

        // Unix socket as before (kea-admin, the admin connection); TCP only over TLS with a certificate.
        File.WriteAllText(Path.Combine(cluster.DataDirectory, "pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 cert\nhostnossl all all 127.0.0.1/32 reject\n");
        return $"-c ssl=on -c ssl_cert_file={F("server.crt")} -c ssl_key_file={F("server.key")} -c ssl_ca_file={F("ca.crt")}";
    }

    private static Task<string> OpenSsl(string[] arguments) => PostgreSqlCluster.RunProgramAsync("openssl", arguments);
}
