using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Options.Definitions;
using Pukeko.Protocol.Options;
using Pukeko.Server.Configuration;
using Pukeko.Server.Reservations;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// <c>hosts-database</c> on Kea 2.2's schema (13.0, Debian's <c>kea-admin db-init pgsql</c>), and what does not
/// depend on a schema version (the keys, a database without Kea's schema).
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class HostsDatabaseOnKea22Tests(PostgreSqlCluster cluster) : HostsDatabaseTests(cluster, PostgreSqlCluster.KeaSchema.Kea22)
{
    protected override (string Columns, string Values) OptionExtras => (string.Empty, string.Empty);

    [PostgreSqlFact]
    public async Task Host_source_speaks_schema_13_0()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        Assert.Equal((13, 0), source.Statements.Version);
    }

    [PostgreSqlFact]
    public async Task Host_source_refuses_a_schema_version_it_does_not_speak()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        await using (var db = Cluster.DataSource(name))
        {
            await PostgreSqlCluster.ExecuteAsync(db, "UPDATE schema_version SET version = 35, minor = 0");
        }

        var e = await Assert.ThrowsAsync<LeaseDatabaseSchemaException>(() => PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance));
        Assert.Contains("need version: 13.0 or 29.0 or 30.0 or 31.0 or 32.0 or 33.0 or 34.0 found version: 35.0", e.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Host_source_refuses_a_database_without_Kea_schema()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.None);
        var e = await Assert.ThrowsAsync<LeaseDatabaseSchemaException>(() => PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance));
        Assert.Contains("kea-admin db-init pgsql", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosts_database_keys_load_with_Keas_meaning()
    {
        var environment = new ConfigEnvironment(Root.FullName, Root.FullName, Root.FullName, Root.FullName);
        var loaded = ConfigLoader.LoadText("""
            { "Dhcp6": {
                "hosts-database": { "type": "postgresql", "name": "keadb", "host": "/run/postgresql", "user": "kea",
                                    "password": "secret", "readonly": true, "max-reconnect-tries": 3, "reconnect-wait-time": 500 },
                "hosts-databases": [ { "type": "postgresql", "name": "other", "readonly": "false", "lfc-interval": 10 } ],
                "subnet6": [] } }
            """, null, environment);
        Assert.True(loaded.Success, string.Join("; ", loaded.Errors));
        Assert.Collection(loaded.Config!.HostsDatabases,
            first =>
            {
                Assert.Equal("keadb", first.Access.Name);
                Assert.Equal("/run/postgresql", first.Access.Host);
                Assert.Equal("secret", first.Access.Password);
                Assert.Equal(3u, first.Access.MaxReconnectTries);
                Assert.True(first.ReadOnly);
            },
            second =>
            {
                Assert.Equal("other", second.Access.Name);
                Assert.False(second.ReadOnly);
            });
        Assert.Contains(loaded.Warnings, w => w.Path == "Dhcp6/hosts-databases[0]/lfc-interval");
        Assert.DoesNotContain(loaded.Warnings, w => w.Path.StartsWith("Dhcp6/hosts-database", StringComparison.Ordinal) && !w.Path.EndsWith("lfc-interval", StringComparison.Ordinal));

        foreach (var (json, path, text) in new[]
        {
            ("""{ "type": "memfile", "name": "hosts.csv" }""", "Dhcp6/hosts-database/type", "'memfile' is not supported"),
            ("""{ "type": "mysql", "name": "keadb" }""", "Dhcp6/hosts-database/type", "'mysql' is not supported"),
            ("""{ "type": "postgresql" }""", "Dhcp6/hosts-database", "missing mandatory parameter 'name'"),
            ("""{ "name": "keadb" }""", "Dhcp6/hosts-database", "missing mandatory parameter 'type'"),
            ("""{ "type": "postgresql", "name": "keadb", "readonly": "yes" }""", "Dhcp6/hosts-database/readonly", "readonly"),
            ("""{ "type": "postgresql", "name": "keadb", "colour": 1 }""", "Dhcp6/hosts-database/colour", "unknown parameter"),
        })
        {
            var bad = ConfigLoader.LoadText($$"""{ "Dhcp6": { "hosts-database": {{json}}, "subnet6": [] } }""", null, environment);
            Assert.False(bad.Success);
            Assert.Contains(bad.Errors, e => e.Path == path && e.Message.Contains(text, StringComparison.Ordinal));
        }
    }

    [PostgreSqlFact]
    public async Task Host_source_refuses_to_write_what_schema_13_0_cannot_hold()
    {
        var name = await Cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        await using var source = await PgSqlHostDataSource.OpenAsync(Hosts(name), NullLogger.Instance);
        var neverSend = WrittenHost(options: [new OptionDescriptor(7, "dhcp6", "preference", [1], false, NeverSend: true)]);
        var e = await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.AddAsync(neverSend, uniqueReservations: true).AsTask());
        Assert.Contains("cannot store an option with never-send", e.Message, StringComparison.Ordinal);
        var excluded = WrittenHost(excluded: new() { [Ipv6Prefix.Parse("2001:db8:2:100::/56")] = Ipv6Prefix.Parse("2001:db8:2:100::/64") });
        e = await Assert.ThrowsAsync<HostDatabaseWriteException>(() => source.AddAsync(excluded, uniqueReservations: true).AsTask());
        Assert.Contains("cannot store excluded-prefixes", e.Message, StringComparison.Ordinal);
        await using var db = Cluster.DataSource(name);
        Assert.Equal([[0L]], await RowsAsync(db, "SELECT count(*) FROM hosts"));
    }
}
