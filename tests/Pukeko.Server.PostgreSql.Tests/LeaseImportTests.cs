using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Xunit.Abstractions;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// A large import (<see cref="LeaseFileImport"/>) against Kea's statistics tables: after it, <c>lease6_stat</c> (and on
/// Kea 3.x <c>lease6_pool_stat</c>), and <c>lease6_stat_by_client_class</c>, which Kea's triggers keep, must equal the
/// counts of the rows themselves. The speed run (<see cref="ImportBenchFactAttribute"/>) is the same with many leases.
/// </summary>
public abstract class LeaseImportTests(PostgreSqlCluster cluster, PostgreSqlCluster.KeaSchema schema, ITestOutputHelper output) : IDisposable
{
    private const string Stat =
        "SELECT subnet_id, lease_type, state, leases FROM lease6_stat WHERE leases > 0 ORDER BY 1, 2, 3";

    // States 0 and 1 are the ones every schema's triggers count (the generated leases have states 0 to 2).
    private const string StatOfRows =
        "SELECT subnet_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";

    private const string PoolStat =
        "SELECT subnet_id, pool_id, lease_type, state, leases FROM lease6_pool_stat WHERE leases > 0 ORDER BY 1, 2, 3, 4";

    private const string PoolStatOfRows =
        "SELECT subnet_id, pool_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";

    private const string ClassStat =
        "SELECT client_class, lease_type, leases FROM lease6_stat_by_client_class WHERE leases > 0 ORDER BY 1, 2";

    private const string ClassStatOfRows =
        "SELECT c, lease_type, count(*) FROM lease6, json_array_elements_text(cast(nullif(user_context, '') as json)->'ISC'->'client-classes') AS c "
        + "WHERE state = 0 GROUP BY 1, 2 ORDER BY 1, 2";

    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-import-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [PostgreSqlFact]
    public async Task Statistics_tables_equal_the_real_counts_after_an_import_and_after_a_replacing_rerun()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var leases = Generate(2_500, seed: 1);
        var imported = await LeaseFileImport.RunAsync(store, WriteFile("leases.csv", leases), replaceExisting: false, NullLogger.Instance);
        Assert.Equal((2_500, 2_500, 0), (imported.Leases, imported.Inserted, imported.Replaced));
        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: 2_500);

        // The same addresses with other subnets, states and classes, and more: the replaced rows move their counts.
        var changed = Generate(3_000, seed: 2);
        var replaced = await LeaseFileImport.RunAsync(store, WriteFile("changed.csv", changed), replaceExisting: true, NullLogger.Instance);
        Assert.Equal((3_000, 500, 2_500), (replaced.Leases, replaced.Inserted, replaced.Replaced));
        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: 3_000);
    }

    [PostgreSqlFact]
    public async Task A_batch_that_fails_keeps_the_batches_before_it_and_a_replacing_rerun_finishes_the_copy()
    {
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;

        // In address order, the 25th lease has a hostname longer than the schema's varchar(255): the third batch of
        // ten fails in the database, after two were committed.
        var leases = Generate(50, seed: 4).OrderBy(l => l.Address).ToList();
        var goodHostname = leases[24].Hostname;
        leases[24].Hostname = new string('h', 300);
        var file = WriteFile("leases.csv", leases);
        var e = await Assert.ThrowsAsync<LeaseImportInterruptedException>(
            () => LeaseFileImport.RunAsync(store, file, replaceExisting: false, NullLogger.Instance, batchSize: 10));
        Assert.Equal((20, 50, leases[19].Address), (e.Copied, e.Total, e.LastCopied));
        Assert.Contains("--overwrite", e.Message, StringComparison.Ordinal);
        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: 20);

        // The row fixed, a plain rerun is refused (the first 20 are there), a replacing one finishes.
        leases[24].Hostname = goodHostname;
        WriteFile("leases.csv", leases);
        var refused = await LeaseFileImport.RunAsync(store, file, replaceExisting: false, NullLogger.Instance, batchSize: 10);
        Assert.Equal(leases.Take(20).Select(l => l.Address), refused.Existing);
        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: 20);
        var finished = await LeaseFileImport.RunAsync(store, file, replaceExisting: true, NullLogger.Instance, batchSize: 10);
        Assert.Equal((50, 30, 20), (finished.Leases, finished.Inserted, finished.Replaced));
        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: 50);
        foreach (var lease in leases)
        {
            // Kea 2.2's schema has no pool_id.
            lease.PoolId = schema == PostgreSqlCluster.KeaSchema.Kea22 ? 0 : lease.PoolId;
            Assert.Equal(LeaseCsvFormatter.FormatRow(lease), LeaseCsvFormatter.FormatRow((await store.GetAsync(lease.Address))!));
        }
    }

    [ImportBenchFact]
    public async Task Import_speed()
    {
        var count = ImportBenchFactAttribute.Leases;
        var (store, db) = await OpenAsync();
        using var _ = store;
        await using var __ = db;
        var file = WriteFile("bench.csv", Generate(count, seed: 3));
        var loadBefore = await File.ReadAllTextAsync("/proc/loadavg");
        var watch = Stopwatch.StartNew();
        var imported = await LeaseFileImport.RunAsync(store, file, replaceExisting: false, NullLogger.Instance, batchSize: ImportBenchFactAttribute.BatchSize);
        watch.Stop();
        var loadAfter = await File.ReadAllTextAsync("/proc/loadavg");
        Assert.Equal(count, imported.Inserted);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"import {schema}: {count} leases, batches of {ImportBenchFactAttribute.BatchSize}, in {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:F0} leases/s); load before {loadBefore.Trim()}, after {loadAfter.Trim()}");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("PUKEKO_IMPORT_BENCH_OUT") is { Length: > 0 } path)
        {
            await File.AppendAllTextAsync(path, line + Environment.NewLine);
        }

        await AssertStatisticsEqualTheRowsAsync(db, expectedRows: count);
    }

    /// <summary>
    /// <paramref name="count"/> leases over 8 subnets: addresses and /64 prefixes, mostly assigned, some declined
    /// and some expired-reclaimed, a third with client classes in the user context, two pools a subnet.
    /// </summary>
    private static List<Lease6> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var leases = new List<Lease6>(count);
        for (var i = 0; i < count; i++)
        {
            var subnet = (uint)random.Next(1, 9);
            // By index, so the same index has the same address whatever the seed.
            var prefix = i % 5 == 0;
            var roll = random.Next(100);
            var address = prefix
                ? Ipv6Address.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:{8 + (i / 65536):x}:{i % 65536:x}::"))
                : Ipv6Address.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:1::{i / 65536:x}:{i % 65536:x}"));
            leases.Add(new Lease6
            {
                Address = address,
                Type = prefix ? LeaseType.PD : LeaseType.NA,
                PrefixLength = prefix ? (byte)64 : (byte)128,
                Duid = [0, 1, 0, 1, (byte)(i >> 24), (byte)(i >> 16), (byte)(i >> 8), (byte)i],
                Iaid = (uint)i,
                PreferredLifetime = 3000,
                ValidLifetime = 4000,
                Cltt = 1_764_000_000 + random.Next(4000),
                SubnetId = subnet,
                PoolId = (uint)random.Next(1, 3),
                State = roll < 85 ? LeaseState.Default : roll < 95 ? LeaseState.Declined : LeaseState.ExpiredReclaimed,
                UserContext = random.Next(3) == 0 ? "{ \"ISC\": { \"client-classes\": [ \"ALL\", \"gold\" ] } }" : null,
            });
        }

        return leases;
    }

    private async Task AssertStatisticsEqualTheRowsAsync(NpgsqlDataSource db, long expectedRows)
    {
        Assert.Equal([$"{expectedRows}"], await TextRowsAsync(db, "SELECT count(*) FROM lease6"));
        Assert.Equal(await TextRowsAsync(db, StatOfRows), await TextRowsAsync(db, Stat));
        Assert.Equal(await TextRowsAsync(db, ClassStatOfRows), await TextRowsAsync(db, ClassStat));
        if (schema != PostgreSqlCluster.KeaSchema.Kea22)
        {
            Assert.Equal(await TextRowsAsync(db, PoolStatOfRows), await TextRowsAsync(db, PoolStat));
        }
    }

    private static async Task<List<string>> TextRowsAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('/', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private string WriteFile(string name, IEnumerable<Lease6> leases)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, [LeaseCsvSchema.HeaderLine, .. leases.Select(l => LeaseCsvFormatter.FormatRow(l))]);
        return path;
    }

    private async Task<(PgSqlLeaseStore Store, NpgsqlDataSource Db)> OpenAsync()
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        return (await PgSqlLeaseStore.OpenAsync(cluster.Settings(name), NullLogger.Instance), cluster.DataSource(name));
    }
}

/// <summary>
/// The speed run: only when <c>PUKEKO_IMPORT_BENCH_LEASES</c> gives the number of leases (it takes minutes);
/// <c>PUKEKO_IMPORT_BENCH_BATCH</c> tries another batch size, <c>PUKEKO_IMPORT_BENCH_OUT</c> names a file the result is added to.
/// </summary>
public sealed class ImportBenchFactAttribute : FactAttribute
{
    public ImportBenchFactAttribute()
    {
        Skip = PostgreSqlCluster.MissingReason
            ?? (Leases > 0 ? null : "set PUKEKO_IMPORT_BENCH_LEASES to the number of leases to time an import");
    }

    public static int Leases => Number("PUKEKO_IMPORT_BENCH_LEASES") ?? 0;

    /// <summary><c>PUKEKO_IMPORT_BENCH_BATCH</c>, or the import's own batch size.</summary>
    public static int BatchSize => Number("PUKEKO_IMPORT_BENCH_BATCH") ?? LeaseFileImport.BatchSize;

    private static int? Number(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}

[Collection(PostgreSqlCollection.Name)]
public sealed class LeaseImportOnKea22Tests(PostgreSqlCluster cluster, ITestOutputHelper output)
    : LeaseImportTests(cluster, PostgreSqlCluster.KeaSchema.Kea22, output);

[Collection(PostgreSqlCollection.Name)]
public sealed class LeaseImportOnKea3Tests(PostgreSqlCluster cluster, ITestOutputHelper output)
    : LeaseImportTests(cluster, PostgreSqlCluster.KeaSchema.Kea3, output);
