using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// Migration between a memfile lease file and the PostgreSQL lease database (<see cref="LeaseFileImport"/>,
/// <see cref="LeaseFileExport"/>, behind <c>pukeko-dhcp6 --import-leases/--export-leases</c>): each test runs once per
/// Kea schema (<see cref="LeaseMigrationOnKea22Tests"/>, <see cref="LeaseMigrationOnKea3Tests"/>) on a fresh database.
/// </summary>
public abstract class LeaseMigrationTests(PostgreSqlCluster cluster, PostgreSqlCluster.KeaSchema schema) : IDisposable
{
    private const string Header = LeaseCsvSchema.HeaderLine;

    private const string LeaseStatistics =
        "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0 ORDER BY subnet_id, lease_type, state";

    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-migration-").FullName;

    /// <summary>The pool id a lease has after a trip through the database (Kea 2.2's schema has no <c>pool_id</c>).</summary>
    protected abstract string PoolIdThroughDatabase(string poolId);

    /// <summary>A row, of this test's columns, that the schema cannot hold.</summary>
    protected abstract string RowTheSchemaCannotHold { get; }

    /// <summary>
    /// Leases of every kind in the canonical form a lease file cleanup leaves (one row per lease, address order):
    /// addresses and prefixes; a hardware address; a hostname and a user context with escaped commas; both FQDN
    /// flags; declined (state 1) and expired-reclaimed (state 2) leases; an infinite lifetime; a lease long expired;
    /// a pool id.
    /// </summary>
    private static readonly string[] CanonicalRows =
    [
        "2001:db8:1::10,00:01:00:01:de:ad:be:ef,4000,1764004000,1,3000,0,1,128,0,0,,,0,,0,0,{0}",
        "2001:db8:1::11,00:01:00:01:de:ad:be:f0,4000,1764004000,1,3000,0,4294967294,128,1,1,host&#x2c one.example.com.,00:11:22:33:44:55,0,{{ \"ISC\": {{ \"client-classes\": [ \"ALL\"&#x2c \"gold\" ] }} }},1,2,{0}",
        "2001:db8:1::12,00:00:00,3600,1764003600,1,0,0,0,128,0,0,,,1,,0,0,0",
        "2001:db8:1::13,00:01:00:01:de:ad:be:f1,4000,1000004000,1,3000,0,7,128,0,0,,,2,,0,0,0",
        "2001:db8:1::14,00:01:00:01:de:ad:be:f2,4294967295,6058967295,1,4294967295,0,8,128,0,0,,,0,,0,0,0",
        "2001:db8:8::,00:01:00:01:de:ad:be:ef,4000,1764004000,2,3000,2,1,56,0,0,,,0,,0,0,{0}",
        "2001:db8:8:100::,00:01:00:01:de:ad:be:f3,7200,1764007200,2,3600,2,2,56,0,0,pd.example.org.,,0,,0,0,0",
    ];

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [PostgreSqlFact]
    public async Task A_lease_file_copied_into_the_database_and_back_gives_the_same_rows_and_Kea_statistics()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // The input is a log, as the server leaves it: a lease renewed later (the later row wins), a lease released
        // (valid lifetime 0 removes it), and the rest in no particular order.
        var input = WriteFile("kea-leases6.csv",
        [
            Header,
            "2001:db8:1::11,00:01:00:01:de:ad:be:f0,4000,1763990000,1,3000,0,4294967294,128,0,0,,,0,,0,0,0",
            .. Canonical("5").Reverse(),
            "2001:db8:1::99,00:01:00:01:de:ad:be:99,4000,1764004000,1,3000,0,9,128,0,0,,,0,,0,0,0",
            "2001:db8:1::99,00:01:00:01:de:ad:be:99,0,1764004000,1,0,0,9,128,0,0,,,0,,0,0,0",
        ]);
        // A row for ::11 before the current file's rows, in the .2 a cleanup left: the current file's row wins.
        File.WriteAllLines(input + ".2", [Header, "2001:db8:1::11,00:01:00:01:de:ad:be:f0,4000,1763980000,1,3000,0,4294967294,128,0,0,,,0,,0,0,0"]);

        var imported = await LeaseFileImport.RunAsync(store, input, replaceExisting: false, NullLogger.Instance);
        Assert.True(imported.Written);
        Assert.Equal((7, 7, 0), (imported.Leases, imported.Inserted, imported.Replaced));
        Assert.Equal(7, await CountRowsAsync(db));

        // Kea's triggers counted them: states 0 and 1 per subnet and type; expired-reclaimed (2) is not counted.
        Assert.Equal(["1/0/0=3", "1/0/1=1", "2/2/0=2"], await RowsAsync(db, LeaseStatistics));

        var output = Path.Combine(_directory, "back", "kea-leases6.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Assert.Equal(7, await LeaseFileExport.RunAsync(store, output, replaceExisting: false));
        Assert.Equal([Header, .. Canonical(PoolIdThroughDatabase("5"))], File.ReadAllLines(output));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(output)!));
    }

    [PostgreSqlFact]
    public async Task A_bad_row_fails_the_copy_with_its_line_number_and_nothing_is_written()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var input = WriteFile("leases.csv",
        [
            Header,
            Row(0, "0"),
            string.Empty,
            "2001:db8:1::zz,00:01:00:01:de:ad:be:ef,4000,1764004000,1,3000,0,1,128,0,0,,,0,,0,0,0",
            Row(5, "0"),
        ]);

        var e = await Assert.ThrowsAsync<LeaseFileException>(() => LeaseFileImport.RunAsync(store, input, replaceExisting: false, NullLogger.Instance));
        Assert.Contains($"'{input}' has an invalid row at line 4", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountRowsAsync(db));
    }

    [PostgreSqlFact]
    public async Task A_lease_the_schema_cannot_hold_rolls_back_the_leases_written_before_it()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // Written in address order: ::10 and ::11 are in the transaction when ::12 is refused.
        var input = WriteFile("leases.csv", [Header, Row(0, "0"), Row(1, "0"), RowTheSchemaCannotHold]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => LeaseFileImport.RunAsync(store, input, replaceExisting: false, NullLogger.Instance));
        Assert.Contains("lease 2001:db8:1::12", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountRowsAsync(db));
        Assert.Empty(await RowsAsync(db, LeaseStatistics));
    }

    [PostgreSqlFact]
    public async Task Leases_already_in_the_database_refuse_the_copy_unless_replacing_is_asked_for()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // Another client's lease of ::11 in subnet 9, and one at an address the file does not have.
        var there = Lease("2001:db8:1::11", subnet: 9);
        var other = Lease("2001:db8:1::77", subnet: 9);
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(there));
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(other));
            await unit.CommitAsync();
        }

        var input = WriteFile("leases.csv", [Header, .. Canonical("0")]);
        var refused = await LeaseFileImport.RunAsync(store, input, replaceExisting: false, NullLogger.Instance);
        Assert.False(refused.Written);
        Assert.Equal([there.Address], refused.Existing);
        Assert.Equal(2, await CountRowsAsync(db));
        Assert.Equal(there.Duid, (await store.GetAsync(there.Address))!.Duid);
        Assert.Equal(["9/0/0=2"], await RowsAsync(db, LeaseStatistics));

        var replaced = await LeaseFileImport.RunAsync(store, input, replaceExisting: true, NullLogger.Instance);
        Assert.True(replaced.Written);
        Assert.Equal((7, 6, 1), (replaced.Leases, replaced.Inserted, replaced.Replaced));
        Assert.Equal(8, await CountRowsAsync(db));
        var now = await store.GetAsync(there.Address);
        Assert.Equal(Row(1, PoolIdThroughDatabase("0")), LeaseCsvFormatter.FormatRow(now!));

        // The replaced lease left subnet 9's count; the lease the file does not have stays.
        Assert.Equal(["1/0/0=3", "1/0/1=1", "2/2/0=2", "9/0/0=1"], await RowsAsync(db, LeaseStatistics));
    }

    [PostgreSqlFact]
    public async Task Export_refuses_to_replace_a_lease_file_unless_asked_and_to_write_beside_a_cleanup_file()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        await using (var unit = store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await unit.InsertAsync(Lease("2001:db8:1::5", subnet: 1)));
            await unit.CommitAsync();
        }

        var output = WriteFile("leases.csv", [Header]);
        var e = await Assert.ThrowsAsync<LeaseFileException>(() => LeaseFileExport.RunAsync(store, output, replaceExisting: false));
        Assert.Contains("give --overwrite", e.Message, StringComparison.Ordinal);
        Assert.Equal([Header], File.ReadAllLines(output));

        Assert.Equal(1, await LeaseFileExport.RunAsync(store, output, replaceExisting: true));
        Assert.Equal(2, File.ReadAllLines(output).Length);

        // The server would replay a .2 under the new file at start.
        File.WriteAllLines(output + ".2", [Header]);
        e = await Assert.ThrowsAsync<LeaseFileException>(() => LeaseFileExport.RunAsync(store, output, replaceExisting: true));
        Assert.Contains($"'{output}.2' exists", e.Message, StringComparison.Ordinal);
    }

    [PostgreSqlFact]
    public async Task Import_of_a_missing_lease_file_is_an_error()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var e = await Assert.ThrowsAsync<LeaseFileException>(() => LeaseFileImport.RunAsync(store, Path.Combine(_directory, "none.csv"), false, NullLogger.Instance));
        Assert.Contains("No lease file", e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Canonical(string poolId) => CanonicalRows.Select((_, i) => Row(i, poolId));

    private static string Row(int index, string poolId) => string.Format(System.Globalization.CultureInfo.InvariantCulture, CanonicalRows[index], poolId);

    private static Lease6 Lease(string address, uint subnet) => new()
    {
        Address = Ipv6Address.Parse(address),
        Type = LeaseType.NA,
        Duid = [0, 1, 0, 1, 0x77, 0x77],
        Iaid = 3,
        PreferredLifetime = 3000,
        ValidLifetime = 4000,
        Cltt = 1_764_000_000,
        SubnetId = subnet,
    };

    private string WriteFile(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private async Task<(PgSqlLeaseStore Store, NpgsqlDataSource Db)> OpenAsync()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        return (await PgSqlLeaseStore.OpenAsync(cluster.Settings(name), NullLogger.Instance), cluster.DataSource(name));
    }

    private static async Task<long> CountRowsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT count(*) FROM lease6");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<List<string>> RowsAsync(NpgsqlDataSource db, string sql) => PostgreSqlCluster.IntegerRowsAsync(db, sql);
}

/// <summary>Migration on Kea 2.2's schema (13.0): no <c>pool_id</c>, no released state.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class LeaseMigrationOnKea22Tests(PostgreSqlCluster cluster) : LeaseMigrationTests(cluster, PostgreSqlCluster.KeaSchema.Kea22)
{
    protected override string PoolIdThroughDatabase(string poolId) => "0";

    // State 3 (released) is Kea 3.x's.
    protected override string RowTheSchemaCannotHold => "2001:db8:1::12,00:01:00:01:de:ad:be:f5,4000,1764004000,1,3000,0,5,128,0,0,,,3,,0,0,0";
}

/// <summary>Migration on Kea 3.x's schema (34.0): <c>pool_id</c> kept, no IA_TA.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class LeaseMigrationOnKea3Tests(PostgreSqlCluster cluster) : LeaseMigrationTests(cluster, PostgreSqlCluster.KeaSchema.Kea3)
{
    protected override string PoolIdThroughDatabase(string poolId) => poolId;

    // Kea 3.x removed IA_TA (lease type 1).
    protected override string RowTheSchemaCannotHold => "2001:db8:1::12,00:01:00:01:de:ad:be:f5,4000,1764004000,1,3000,1,5,128,0,0,,,0,,0,0,0";
}
