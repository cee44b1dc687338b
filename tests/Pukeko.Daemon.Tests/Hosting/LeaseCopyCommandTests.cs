using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Daemon.CommandLine;
using Pukeko.Daemon.Hosting;
using Pukeko.Server.Configuration;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;

namespace Pukeko.Daemon.Tests.Hosting;

/// <summary>
/// <c>--import-leases</c>/<c>--export-leases</c> from the command line to the exit value and messages. The database
/// the configuration names is stood in for by a memfile store (the PostgreSQL side is tested on a real database in
/// <c>LeaseMigrationTests</c>); the configuration must still say <c>postgresql</c>.
/// </summary>
public sealed class LeaseCopyCommandTests : IDisposable
{
    private const string PostgreSqlConfig = """{ "Dhcp6": { "lease-database": { "type": "postgresql", "name": "kea", "host": "127.0.0.1", "user": "kea" } } }""";

    private static readonly string[] Leases =
    [
        LeaseCsvSchema.HeaderLine,
        "2001:db8:1::10,00:01:00:01:de:ad:be:ef,4000,1764004000,1,3000,0,1,128,0,0,,,0,,0,0,0",
        "2001:db8:8::,00:01:00:01:de:ad:be:ef,4000,1764004000,2,3000,2,1,56,0,0,,,0,,0,0,0",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("pukeko-lease-copy-").FullName;
    private int _opened;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StandInDatabase => Path.Combine(_directory, "database.csv");

    [Fact]
    public async Task Import_copies_refuses_what_is_there_replaces_with_overwrite_and_export_writes_it_back()
    {
        var input = Write("kea-leases6.csv", Leases);
        var (exit, output, errors) = await RunAsync(PostgreSqlConfig, "--import-leases", input);
        Assert.Equal(0, exit);
        Assert.Contains("copied 2 leases into PostgreSQL database 'kea' (2 new, 0 replaced)", output, StringComparison.Ordinal);
        Assert.Contains($"read {input}: 2 rows, 2 stored, 0 deleted", output, StringComparison.Ordinal);
        Assert.Empty(errors);

        (exit, _, errors) = await RunAsync(PostgreSqlConfig, "--import-leases", input);
        Assert.Equal(1, exit);
        Assert.Contains("nothing written: 2 of the 2 leases are already in database 'kea' (2001:db8:1::10, 2001:db8:8::); give --overwrite", errors, StringComparison.Ordinal);

        (exit, output, _) = await RunAsync(PostgreSqlConfig, "--import-leases", input, "--overwrite");
        Assert.Equal(0, exit);
        Assert.Contains("(0 new, 2 replaced)", output, StringComparison.Ordinal);

        var back = Path.Combine(_directory, "back.csv");
        (exit, output, _) = await RunAsync(PostgreSqlConfig, "--export-leases", back);
        Assert.Equal(0, exit);
        Assert.Contains($"wrote 2 leases of PostgreSQL database 'kea' to {back}", output, StringComparison.Ordinal);
        Assert.Equal(Leases, File.ReadAllLines(back));

        (exit, _, errors) = await RunAsync(PostgreSqlConfig, "--export-leases", back);
        Assert.Equal(1, exit);
        Assert.Contains("--export-leases failed, nothing written:", errors, StringComparison.Ordinal);
        Assert.Contains("give --overwrite to replace it", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_row_is_reported_with_its_line()
    {
        var input = Write("kea-leases6.csv", [.. Leases, "2001:db8:1::11,not-a-duid,4000,1764004000,1,3000,0,1,128,0,0,,,0,,0,0,0"]);
        var (exit, _, errors) = await RunAsync(PostgreSqlConfig, "--import-leases", input);
        Assert.Equal(1, exit);
        Assert.Contains("--import-leases failed, nothing written:", errors, StringComparison.Ordinal);
        Assert.Contains("has an invalid row at line 4", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(StandInDatabase) && File.ReadAllLines(StandInDatabase).Length > 1);
    }

    [Fact]
    public async Task A_memfile_configuration_is_refused_without_opening_anything()
    {
        var (exit, _, errors) = await RunAsync("""{ "Dhcp6": { } }""", "--import-leases", Write("l.csv", Leases));
        Assert.Equal(1, exit);
        Assert.Contains("Dhcp6/lease-database: --import-leases copies to or from a PostgreSQL lease database; this configuration's is memfile", errors, StringComparison.Ordinal);
        Assert.Equal(0, _opened);
    }

    [Fact]
    public async Task A_configuration_that_does_not_load_is_reported()
    {
        var (exit, _, errors) = await RunAsync("""{ "Dhcp6": { "lease-database": { "type": "postgresql" } } }""", "--export-leases", Path.Combine(_directory, "out.csv"));
        Assert.Equal(1, exit);
        Assert.StartsWith("Configuration '", errors, StringComparison.Ordinal);
        Assert.Contains("Dhcp6/lease-database", errors, StringComparison.Ordinal);
        Assert.Equal(0, _opened);
    }

    private async Task<(int Exit, string Output, string Errors)> RunAsync(string config, params string[] copyArguments)
    {
        var configFile = Write("kea-dhcp6.conf", [config]);
        var options = Assert.IsType<CommandLineOptions>(KeaCommandLine.Parse(["-c", configFile, .. copyArguments]));
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await LeaseCopyCommand.RunAsync(
            options, DaemonEnvironment.From(options, _ => null), NullLoggerFactory.Instance, OpenStandIn, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>A memfile store on one file of this test, opened afresh each run as the database would be.</summary>
    private Task<ILeaseStore> OpenStandIn(SqlDatabaseAccess access, Microsoft.Extensions.Logging.ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        Assert.Equal("kea", access.Name);
        _opened++;
        var store = new MemfileLeaseStore(new MemfileOptions(StandInDatabase, LfcIntervalSeconds: 0), NullLogger.Instance, TimeProvider.System);
        store.Open();
        return Task.FromResult<ILeaseStore>(store);
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
