using Pukeko.Server.Configuration;
using Pukeko.Server.Tests.Support;
using static Pukeko.Server.Tests.Configuration.ConfigTest;

namespace Pukeko.Server.Tests.Configuration;

/// <summary><c>lease-database</c> with <c>"type": "postgresql"</c>: Kea's connection keys, in any order.</summary>
public sealed class LeaseDatabaseTests
{
    [Fact]
    public void PostgreSqlKeysAreReadWhateverTheirOrder()
    {
        var config = LoadOk(Dhcp6("""
            "lease-database": { "name": "kea", "host": "/tmp/pgtest", "port": 55432, "user": "kea", "password": "keapass",
                                "connect-timeout": 7, "type": "postgresql" }
            """));
        Assert.Equal(LeaseDatabaseConfig.PostgreSql, config.LeaseDatabase.Type);
        Assert.Equal(new SqlDatabaseAccess("kea", "/tmp/pgtest", 55432, "kea", "keapass", 7), config.LeaseDatabase.Sql);
        Assert.DoesNotContain("keapass", config.LeaseDatabase.Sql!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlDefaultsAreKeas()
    {
        var config = LoadOk(Dhcp6("""
            "lease-database": { "type": "postgresql", "name": "leases" }
            """));
        Assert.Equal(new SqlDatabaseAccess("leases", "localhost", 5432, null, null, 5), config.LeaseDatabase.Sql);
    }

    [Fact]
    public void MemfileIgnoresConnectionKeys()
    {
        var config = LoadOk(Dhcp6("""
            "lease-database": { "type": "memfile", "name": "/var/tmp/l6.csv", "host": "db.example", "user": "kea" }
            """));
        Assert.Null(config.LeaseDatabase.Sql);
        Assert.Equal("/var/tmp/l6.csv", config.LeaseDatabase.FilePath);
    }

    [Fact]
    public void ReconnectKeysAreRead()
    {
        var config = LoadOk(Dhcp6("""
            "lease-database": { "type": "postgresql", "name": "kea", "max-reconnect-tries": 3, "reconnect-wait-time": 2000,
                                "on-fail": "serve-retry-continue" }
            """));
        var sql = config.LeaseDatabase.Sql!;
        Assert.Equal((3u, 2000u, DatabaseOnFail.ServeRetryContinue), (sql.MaxReconnectTries, sql.ReconnectWaitTime, sql.OnFail));
    }

    [Fact]
    public void ReconnectDefaultsAreKeas()
    {
        var sql = LoadOk(Dhcp6("""
            "lease-database": { "type": "postgresql", "name": "kea" }
            """)).LeaseDatabase.Sql!;
        Assert.Equal((0u, 0u, DatabaseOnFail.StopRetryExit), (sql.MaxReconnectTries, sql.ReconnectWaitTime, sql.OnFail));
    }

    [Theory]
    [InlineData("\"on-fail\": \"retry-forever\"", "Dhcp6/lease-database/on-fail", "unsupported value 'retry-forever'")]
    [InlineData("\"max-reconnect-tries\": -1", "Dhcp6/lease-database/max-reconnect-tries", "")]
    [InlineData("\"reconnect-wait-time\": \"2s\"", "Dhcp6/lease-database/reconnect-wait-time", "")]
    public void BadReconnectValuesAreRejectedWithTheirPath(string member, string path, string fragment) =>
        LoadFails(Dhcp6($$"""
            "lease-database": { "type": "postgresql", "name": "kea", {{member}} }
            """), path, fragment);

    [Fact]
    public void RetryOnStartupAndTlsKeysAreRead()
    {
        var sql = LoadOk(Dhcp6("""
            "lease-database": { "type": "postgresql", "name": "kea", "retry-on-startup": true, "trust-anchor": "/etc/kea/ca.pem",
                                "cert-file": "/etc/kea/client.pem", "key-file": "/etc/kea/client.key", "key-password": "secret",
                                "ssl-mode": "verify-full", "cipher-list": "HIGH", "read-timeout": 0, "write-timeout": 0 }
            """)).LeaseDatabase.Sql!;
        Assert.True(sql.RetryOnStartup);
        Assert.Equal(new SqlDatabaseTls("/etc/kea/ca.pem", "/etc/kea/client.pem", "/etc/kea/client.key", "secret", "verify-full", "HIGH"), sql.Tls);
        Assert.DoesNotContain("secret", sql.Tls.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TcpUserTimeoutIsReadForPostgreSqlAndZeroIsAcceptedForMemfile()
    {
        var sql = LoadOk(Dhcp6("""
            "lease-database": { "type": "postgresql", "name": "kea", "tcp-user-timeout": 10 }
            """)).LeaseDatabase.Sql!;
        Assert.Equal(10u, sql.TcpUserTimeout);
        Assert.Null(LoadOk(Dhcp6("""
            "lease-database": { "type": "memfile", "persist": false, "tcp-user-timeout": 0 }
            """)).LeaseDatabase.Sql);
    }

    [Theory]
    [InlineData("\"type\": \"memfile\", \"persist\": false, \"tcp-user-timeout\": 5", "Dhcp6/lease-database/tcp-user-timeout", "only supported by the postgresql backend")]
    [InlineData("\"tcp-user-timeout\": 5, \"type\": \"memfile\", \"persist\": false", "Dhcp6/lease-database/tcp-user-timeout", "only supported by the postgresql backend")]
    [InlineData("\"type\": \"postgresql\", \"name\": \"kea\", \"tcp-user-timeout\": -1", "Dhcp6/lease-database/tcp-user-timeout", "")]
    public void TcpUserTimeoutOutsidePostgreSqlOrOutOfRangeIsRejectedWithItsPath(string members, string path, string fragment) =>
        LoadFails(Dhcp6($$"""
            "lease-database": { {{members}} }
            """), path, fragment);

    [Theory]
    [InlineData("\"ssl-mode\": \"verify\"", "Dhcp6/lease-database/ssl-mode", "unsupported value 'verify'")]
    [InlineData("\"retry-on-startup\": \"yes\"", "Dhcp6/lease-database/retry-on-startup", "")]
    [InlineData("\"read-timeout\": 5", "Dhcp6/lease-database/read-timeout", "only supported by the mysql backend")]
    [InlineData("\"write-timeout\": 5", "Dhcp6/lease-database/write-timeout", "only supported by the mysql backend")]
    public void BadTlsAndTimeoutValuesAreRejectedWithTheirPath(string member, string path, string fragment) =>
        LoadFails(Dhcp6($$"""
            "lease-database": { "type": "postgresql", "name": "kea", {{member}} }
            """), path, fragment);

    [Fact]
    public void PasswordFileGivesTheFirstLineOfTheFileAsThePassword()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("password", "s3cret pass\nsecond line\n");
        var sql = LoadOk(Dhcp6($$"""
            "lease-database": { "type": "postgresql", "name": "kea", "user": "kea", "password-file": "{{file}}" }
            """)).LeaseDatabase.Sql!;
        Assert.Equal(("s3cret pass", file), (sql.Password, sql.PasswordFile));
        Assert.DoesNotContain("s3cret", sql.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PasswordFileServesEveryHostsDatabaseToo()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("password", "hostpass");
        var config = LoadOk(Dhcp6($$"""
            "hosts-database": { "type": "postgresql", "name": "hosts", "password-file": "{{file}}" }
            """));
        Assert.Equal("hostpass", Assert.Single(config.HostsDatabases).Access.Password);
    }

    [Fact]
    public void PasswordAndPasswordFileTogetherAreRefused()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("password", "x");
        LoadFails(Dhcp6($$"""
            "lease-database": { "type": "postgresql", "name": "kea", "password-file": "{{file}}", "password": "y" }
            """), "Dhcp6/lease-database", "can't specify both 'password' and 'password-file'");
        LoadFails(Dhcp6($$"""
            "hosts-databases": [ { "type": "postgresql", "name": "hosts", "password": "y", "password-file": "{{file}}" } ]
            """), "Dhcp6/hosts-databases[0]", "can't specify both 'password' and 'password-file'");
    }

    [Fact]
    public void AMissingPasswordFileOrADirectoryIsRefusedWithTheKeysPath()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"pukeko-no-such-{Guid.NewGuid():N}");
        LoadFails(Dhcp6($$"""
            "lease-database": { "type": "postgresql", "name": "kea", "password-file": "{{missing}}" }
            """), "Dhcp6/lease-database/password-file", $"expected a file at path '{missing}'");
        using var directory = new TempDirectory();
        LoadFails(Dhcp6($$"""
            "hosts-database": { "type": "postgresql", "name": "hosts", "password-file": "{{directory.Path}}" }
            """), "Dhcp6/hosts-database/password-file", "to be a regular file");
    }

    [Fact]
    public void MemfileDoesNotReadAPasswordFile()
    {
        // Kea's memfile backend ignores the connection keys, the password file among them.
        var config = LoadOk(Dhcp6("""
            "lease-database": { "type": "memfile", "password-file": "/nonexistent/pukeko/password" }
            """));
        Assert.Null(config.LeaseDatabase.Sql);
    }
}
