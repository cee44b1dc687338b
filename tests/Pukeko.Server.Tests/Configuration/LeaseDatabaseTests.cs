using Pukeko.Server.Configuration;
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
}
