using System.Diagnostics;
using Npgsql;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// A throwaway PostgreSQL 15 for the test run: initdb into a temporary directory (as user postgres when the tests
/// run as root, since initdb refuses root), started by pg_ctl on a Unix socket in that directory only (no TCP), a
/// database with Kea 2.2's schema made by Debian's <c>kea-admin db-init pgsql</c> and used as the template for one
/// fresh database per test. A second template, with Kea 3.x's schema, is made on first use from the
/// <c>dhcpdb_create.pgsql</c> vendored in <c>KeaSchemas/</c> (run by psql, as <c>kea-admin db-init pgsql</c> runs
/// it), since Debian 12 has no Kea 3.x. Stopped and removed when the run ends.
/// </summary>
public sealed class PostgreSqlCluster : IAsyncLifetime
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string KeaAdmin = "/usr/sbin/kea-admin";
    public const int Port = 55432;
    public const string User = "kea";
    public const string Password = "keapass";
    private const string TemplateDatabase = "kea_template";

    /// <summary>Kea's schema scripts, relative to the test assembly (see KeaSchemas/README.md), and what each makes.</summary>
    private static readonly Dictionary<KeaSchema, (string Template, string Script, string Version)> VendoredSchemas = new()
    {
        [KeaSchema.Kea30] = ("kea30_template", "KeaSchemas/kea-3.0.0/dhcpdb_create.pgsql", "29.0"),
        [KeaSchema.Kea3] = ("kea3_template", "KeaSchemas/kea-3.3.0/dhcpdb_create.pgsql", "34.0"),
    };

    /// <summary>The schema a test database gets.</summary>
    public enum KeaSchema
    {
        /// <summary>No tables at all.</summary>
        None,

        /// <summary>Kea 2.2's (13.0), made by Debian's kea-admin.</summary>
        Kea22,

        /// <summary>Kea 3.x's (34.0, Kea 3.2 and later), made from the vendored script.</summary>
        Kea3,

        /// <summary>Kea 3.0's (29.0), made from the vendored script.</summary>
        Kea30,
    }

    private readonly SemaphoreSlim _vendoredTemplates = new(1, 1);
    private readonly HashSet<KeaSchema> _vendoredTemplatesMade = [];
    private int _databases;
    private string? _dataDirectory;
    private string _extraOptions = string.Empty;

    /// <summary>The port (of the Unix socket, and of TCP when <see cref="ListenAddresses"/> is set).</summary>
    public int ServerPort { get; init; } = Port;

    /// <summary>PostgreSQL's <c>listen_addresses</c>: none by default (Unix socket only).</summary>
    public string ListenAddresses { get; init; } = string.Empty;

    /// <summary>
    /// A network namespace (made by the test) the database server runs in, so that it listens on that namespace's
    /// addresses and the test can cut the network to it; null: this process's namespace. The Unix socket is a file,
    /// so set-up still connects through it.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Runs after initdb, before the first start (certificates, pg_hba.conf); returns more server options.</summary>
    public Func<PostgreSqlCluster, Task<string>>? Prepare { get; init; }

    /// <summary>The cluster's data directory (pg_hba.conf, postgresql.conf).</summary>
    public string DataDirectory => _dataDirectory!;

    /// <summary>Why the tests cannot run here, or null when the PostgreSQL server binaries and kea-admin are installed.</summary>
    public static string? MissingReason { get; } = FindMissing();

    /// <summary>The temporary directory holding the cluster and its Unix socket: the <c>host</c> to connect to.</summary>
    public string SocketDirectory { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (MissingReason is not null)
        {
            return;
        }

        SocketDirectory = Directory.CreateTempSubdirectory("pukeko-pg-").FullName;
        _dataDirectory = Path.Combine(SocketDirectory, "data");
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", SocketDirectory]);
        }

        try
        {
            await StartAsync(_dataDirectory);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string dataDirectory)
    {
        await RunAsPostgresAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]);
        if (Prepare is { } prepare)
        {
            _extraOptions = " " + await prepare(this);
        }

        await StartServerAsync();

        await using (var admin = AdminDataSource("postgres"))
        {
            await ExecuteAsync(admin, $"CREATE USER {User} WITH PASSWORD '{Password}'");
            await ExecuteAsync(admin, $"CREATE DATABASE {TemplateDatabase} OWNER {User}");
        }

        var output = await RunAsync(KeaAdmin,
            ["db-init", "pgsql", "-h", SocketDirectory, "-P", ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-u", User, "-p", Password, "-n", TemplateDatabase]);
        if (!output.Contains("13.0", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"kea-admin db-init did not report schema 13.0:\n{output}");
        }
    }

    /// <summary>Starts the database server on the existing cluster (again, after <see cref="StopServerAsync"/>).</summary>
    public Task StartServerAsync()
    {
        string[] start =
            ["-D", _dataDirectory!, "-l", Path.Combine(SocketDirectory, "pg.log"), "-w", "-t", "60",
             "-o", $"-k {SocketDirectory} -p {ServerPort} -c listen_addresses='{ListenAddresses}' -c fsync=off{_extraOptions}", "start"];
        return NetworkNamespace is { } ns
            ? RunAsync("ip", ["netns", "exec", ns, "runuser", "-u", "postgres", "--", Path.Combine(BinDirectory, "pg_ctl"), .. start])
            : RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), start);
    }

    /// <summary>
    /// Stops the database server as an operator's restart does: <c>fast</c> (sessions are cut, a clean shutdown) or
    /// <c>immediate</c> (every process quits at once; the next start recovers from the WAL, as after a crash).
    /// </summary>
    public Task StopServerAsync(string mode = "fast") =>
        RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _dataDirectory!, "-m", mode, "-w", "-t", "60", "stop"]);

    /// <summary>A new database owned by <see cref="User"/>, a copy of Kea 2.2's schema (or empty), for one test.</summary>
    public Task<string> CreateDatabaseAsync(bool withSchema = true) => CreateDatabaseAsync(withSchema ? KeaSchema.Kea22 : KeaSchema.None);

    /// <summary>A new database owned by <see cref="User"/> with <paramref name="schema"/>, for one test.</summary>
    public async Task<string> CreateDatabaseAsync(KeaSchema schema)
    {
        var template = schema switch
        {
            KeaSchema.None => null,
            KeaSchema.Kea22 => TemplateDatabase,
            KeaSchema.Kea3 or KeaSchema.Kea30 => await VendoredTemplateAsync(schema),
            _ => throw new ArgumentOutOfRangeException(nameof(schema)),
        };
        var name = $"kea_test_{Interlocked.Increment(ref _databases)}";
        await using var admin = AdminDataSource("postgres");
        await ExecuteAsync(admin, $"CREATE DATABASE {name} OWNER {User}" + (template is null ? string.Empty : $" TEMPLATE {template}"));
        return name;
    }

    /// <summary>Makes a vendored schema's template once: psql runs Kea's script as the schema's owner, as kea-admin does.</summary>
    private async Task<string> VendoredTemplateAsync(KeaSchema schema)
    {
        var (template, schemaScript, expected) = VendoredSchemas[schema];
        await _vendoredTemplates.WaitAsync();
        try
        {
            if (!_vendoredTemplatesMade.Contains(schema))
            {
                await using (var admin = AdminDataSource("postgres"))
                {
                    await ExecuteAsync(admin, $"CREATE DATABASE {template} OWNER {User}");
                }

                var script = Path.Combine(AppContext.BaseDirectory, schemaScript);
                await RunAsync("/usr/bin/psql",
                    [$"host={SocketDirectory} port={ServerPort} user={User} password={Password} dbname={template}",
                     "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script]);
                // Not pooled: a template must have no sessions when a database is copied from it.
                await using (var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Settings(template).ToConnectionString()) { Pooling = false }.ConnectionString))
                await using (var command = db.CreateCommand("SELECT version || '.' || minor FROM schema_version"))
                {
                    var version = (string?)await command.ExecuteScalarAsync();
                    if (version != expected)
                    {
                        throw new InvalidOperationException($"{script} made schema {version}, not {expected}");
                    }
                }

                _vendoredTemplatesMade.Add(schema);
            }

            return template;
        }
        finally
        {
            _vendoredTemplates.Release();
        }
    }

    /// <summary>The store's settings for database <paramref name="name"/>, over the Unix socket.</summary>
    internal PgSqlLeaseDatabaseSettings Settings(string name) => new()
    {
        Name = name,
        Host = SocketDirectory,
        Port = ServerPort,
        User = User,
        Password = Password,
    };

    /// <summary>A data source as the store's user on database <paramref name="name"/>, for checking rows directly.</summary>
    public NpgsqlDataSource DataSource(string name) => NpgsqlDataSource.Create(Settings(name).ToConnectionString());

    public async Task DisposeAsync()
    {
        if (_dataDirectory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            {
                await RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
            }
        }
        finally
        {
            Directory.Delete(SocketDirectory, recursive: true);
        }
    }

    /// <summary>The rows of a query whose columns are all integers, each row as "a/b/c=d".</summary>
    public static async Task<List<string>> IntegerRowsAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            rows.Add(string.Join('/', columns.Take(columns.Count - 1)) + "=" + columns[^1]);
        }

        return rows;
    }

    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    internal NpgsqlDataSource AdminDataSource(string database) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory,
            Port = ServerPort,
            Username = "postgres",
            Database = database,
            Pooling = false,
        }.ConnectionString);

    private static string? FindMissing()
    {
        foreach (var path in new[] { Path.Combine(BinDirectory, "initdb"), Path.Combine(BinDirectory, "pg_ctl"), KeaAdmin, "/usr/bin/psql" })
        {
            if (!File.Exists(path))
            {
                return $"{path} is not installed (Debian packages postgresql-15 and kea-admin)";
            }
        }

        return null;
    }

    /// <summary>Runs a program (as this user) and returns its output; throws when it fails.</summary>
    public static Task<string> RunProgramAsync(string program, IReadOnlyList<string> arguments) => RunAsync(program, arguments);

    private static Task<string> RunAsPostgresAsync(string program, IReadOnlyList<string> arguments) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments])
            : RunAsync(program, arguments);

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{output}");
        }

        return output;
    }
}
