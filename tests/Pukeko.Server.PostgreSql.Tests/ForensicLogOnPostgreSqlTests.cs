using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pukeko.Hooks;
using Pukeko.Protocol.Addressing;
using Pukeko.Protocol.Messages;
using Pukeko.Protocol.Options;
using Pukeko.Server.BuiltIn.ForensicLog;
using Pukeko.Server.Configuration;
using Pukeko.Server.Hooks;
using Pukeko.Server.Hooks.Views;
using Pukeko.Server.Leases;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The forensic log with <c>"type": "postgresql"</c>: the built-in library, loaded by the hooks manager with the
/// PostgreSQL sink the daemon plugs in, writing Kea's rows into Kea's <c>logs</c> table.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class ForensicLogOnPostgreSqlTests(PostgreSqlCluster cluster) : IDisposable
{
    private const string AssignedText = "Address: 2001:db8:1::10 has been assigned for 1 hrs 0 mins 0 secs to a device with DUID: 00:03:00:01:0a:0b:0c:0d:0e:0f";

    private readonly ForensicCapturingLoggers _logs = new();
    private HooksManager? _hooks;

    public void Dispose() => _hooks?.Dispose();

    private SqlDatabaseAccess Access(string name) =>
        new(name, cluster.SocketDirectory, cluster.ServerPort, PostgreSqlCluster.User, PostgreSqlCluster.Password, 5) { ReconnectWaitTime = 100 };

    private HooksManager Load(SqlDatabaseAccess access)
    {
        _hooks = new HooksManager(_logs) { ForensicBackends = new ForensicLogBackends { OpenPostgreSql = PgSqlForensicLog.Open } };
        var parameters = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["type"] = "postgresql",
            ["name"] = access.Name,
            ["host"] = access.Host,
            ["port"] = access.Port,
            ["user"] = access.User,
            ["password"] = access.Password,
            ["reconnect-wait-time"] = access.ReconnectWaitTime,
        });
        _hooks.Load([new HooksLibraryConfig("/usr/lib/kea/hooks/libdhcp_legal_log.so", parameters)], multiThreading: true);
        return _hooks;
    }

    private static Lease6 Lease(string address) => new()
    {
        Address = Ipv6Address.Parse(address),
        Duid = [0x00, 0x03, 0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f],
        Iaid = 7,
        ValidLifetime = 3600,
        SubnetId = 1,
    };

    private static NextStep Exchange(HooksManager hooks, Lease6 assigned) => LeaseExchangeThroughHooks.Run(hooks, assigned);

    private static void CommandProcessed(HooksManager hooks, string name, string arguments)
    {
        var handle = hooks.CreateHandle();
        handle.SetArgument("name", name);
        handle.SetArgument<JsonNode?>("arguments", JsonNode.Parse(arguments));
        handle.SetArgument("response", new JsonObject { ["result"] = 0, ["text"] = "done" });
        hooks.Call(HookPoints.CommandProcessed, handle);
        HooksManager.EndCall(handle);
        hooks.ReleaseHandle(handle);
    }

    /// <summary>The rows of <c>logs</c> once there are <paramref name="count"/> (the sink writes in the background).</summary>
    private async Task<List<(string? Address, string Log, DateTime Timestamp)>> RowsAsync(string database, int count)
    {
        await using var db = cluster.DataSource(database);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var rows = new List<(string?, string, DateTime)>();
            await using (var command = db.CreateCommand("SELECT address, log, timestamp FROM logs ORDER BY timestamp, log"))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.GetDateTime(2)));
                }
            }

            if (rows.Count >= count || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }

    [PostgreSqlFact]
    public Task A_lease_event_is_a_row_with_its_address_and_keas_text_on_kea_2_2s_schema() => LeaseEventIsARowAsync(PostgreSqlCluster.KeaSchema.Kea22);

    [PostgreSqlFact]
    public Task A_lease_event_is_a_row_with_its_address_and_keas_text_on_kea_3_0s_schema() => LeaseEventIsARowAsync(PostgreSqlCluster.KeaSchema.Kea30);

    private async Task LeaseEventIsARowAsync(PostgreSqlCluster.KeaSchema schema)
    {
        var name = await cluster.CreateDatabaseAsync(schema);
        var hooks = Load(Access(name));
        var before = DateTime.UtcNow.AddMinutes(-1);

        Assert.Equal(NextStep.Continue, Exchange(hooks, Lease("2001:db8:1::10")));

        var row = Assert.Single(await RowsAsync(name, 1));
        Assert.Equal(("2001:db8:1::10", AssignedText), (row.Address, row.Log));

        // The timestamp column takes its default, the time of the insert, as with Kea.
        Assert.True(row.Timestamp.ToUniversalTime() > before, $"timestamp {row.Timestamp:o}");
        Assert.Contains(_logs.Entries, e => e.EventName == "PGSQL_FB_DB");
    }

    [PostgreSqlFact]
    public async Task A_server_configured_with_the_postgresql_type_logs_the_lease_a_client_gets()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
        var root = Directory.CreateTempSubdirectory("pukeko-pg-forensic-");
        try
        {
            await using var client = new LoopbackDhcpClient();
            await using var server = NewServer(root.FullName, name, client.Port);
            await server.StartAsync();

            var granted = await client.RequestAsync(server, Pukeko.Protocol.Duids.Duid.CreateLl(1, [0x02, 0, 0, 0, 0, 0x61]));

            Assert.NotNull(granted.Address);
            var row = Assert.Single(await RowsAsync(name, 1));
            Assert.Equal(granted.Address.ToString(), row.Address);
            Assert.StartsWith($"Address: {granted.Address} has been assigned for 1 hrs 6 mins 40 secs to a device with DUID: 00:03:00:01:02:00:00:00:00:61", row.Log, StringComparison.Ordinal);

            // No log file: the entries went to the database only.
            Assert.Empty(Directory.GetFiles(Path.Combine(root.FullName, "log")));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private Pukeko.Server.Hosting.Dhcp6Server NewServer(string root, string database, ushort clientPort)
    {
        var environment = new ConfigEnvironment(Path.Combine(root, "data"), Path.Combine(root, "log"), Path.Combine(root, "run"), Path.Combine(root, "hooks"));
        Directory.CreateDirectory(environment.DataDirectory);
        Directory.CreateDirectory(environment.LogDirectory);
        var configFile = Path.Combine(root, "kea-dhcp6.conf");
        File.WriteAllText(configFile, $$"""
            {
              "Dhcp6": {
                "interfaces-config": { "interfaces": [ "lo" ] },
                "lease-database": { "type": "memfile", "persist": false },
                "valid-lifetime": 4000,
                "hooks-libraries": [ { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_legal_log.so",
                  "parameters": { "type": "postgresql", "name": "{{database}}", "host": "{{cluster.SocketDirectory}}", "port": {{cluster.ServerPort}},
                                  "user": "{{PostgreSqlCluster.User}}", "password": "{{PostgreSqlCluster.Password}}" } } ],
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "lo", "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::ffff" } ] } ]
              }
            }
            """);
        var options = new Pukeko.Server.Hosting.ServerOptions(configFile, (ushort)Pukeko.Server.Tests.Support.LoopbackPorts.Free(), clientPort)
        {
            OpenPostgreSqlForensicLog = PgSqlForensicLog.Open,
        };
        return new Pukeko.Server.Hosting.Dhcp6Server(options, environment, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);
    }

    [PostgreSqlFact]
    public async Task Command_entries_carry_the_prefix_and_length_as_their_address()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
        var hooks = Load(Access(name));

        CommandProcessed(hooks, "lease6-add", """{ "type": "IA_PD", "ip-address": "2001:db8:9::", "prefix-len": 56, "duid": "01:02", "iaid": 1, "subnet-id": 1 }""");

        var row = Assert.Single(await RowsAsync(name, 1));
        Assert.Equal(("2001:db8:9::/56", "Administrator added a lease of prefix: 2001:db8:9::/56 to a device with DUID: 01:02"), (row.Address, row.Log));
    }

    [PostgreSqlFact]
    public async Task Entries_are_inserted_in_order()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
        var hooks = Load(Access(name));
        for (var i = 1; i <= 20; i++)
        {
            Exchange(hooks, Lease($"2001:db8:1::{i:x}"));
        }

        await using var db = cluster.DataSource(name);
        var rows = await RowsAsync(name, 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"2001:db8:1::{i:x}"), rows.Select(r => r.Address));
    }

    [PostgreSqlFact]
    public async Task An_unreachable_database_neither_blocks_nor_drops_packets_and_each_failure_is_logged_with_keas_id()
    {
        // A socket directory with no server in it: every connection is refused at once.
        var nowhere = Directory.CreateTempSubdirectory("pukeko-nodb-");
        try
        {
            var hooks = Load(Access("kea") with { Host = nowhere.FullName });

            // The first entry is taken and fails in the background; the database is then known to be lost.
            Assert.Equal(NextStep.Continue, Exchange(hooks, Lease("2001:db8:1::1")));
            var watch = Stopwatch.StartNew();
            while (!_logs.Entries.Any(e => e.EventName == "LEGAL_LOG_LEASE6_WRITE_ERROR") && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }

            // Later entries are refused at once: logged, the callout returns an error (HOOKS_CALLOUT_ERROR), the reply goes on.
            watch.Restart();
            for (var i = 2; i <= 5; i++)
            {
                Assert.Equal(NextStep.Continue, Exchange(hooks, Lease($"2001:db8:1::{i}")));
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"four packets took {watch.Elapsed}");
            Assert.Equal(5, _logs.Entries.Count(e => e.EventName == "LEGAL_LOG_LEASE6_WRITE_ERROR"));
            Assert.Equal(4, _logs.Entries.Count(e => e.EventName == "HOOKS_CALLOUT_ERROR"));

            // Closing gives up the entry still waiting for the database, and says so.
            hooks.UnloadAll();
            Assert.Contains(_logs.Entries, e => e.EventName == "LEGAL_LOG_STORE_CLOSE_ERROR" && e.Message.Contains("1 entries were not written", StringComparison.Ordinal));
        }
        finally
        {
            nowhere.Delete(recursive: true);
        }
    }

    [PostgreSqlFact]
    public async Task An_entry_the_database_refuses_is_logged_and_dropped_and_the_next_one_is_written()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea30);
        using var sink = (PgSqlForensicLog)PgSqlForensicLog.Open(Access(name), _logs);

        // Longer than the address column (VARCHAR(43)): PostgreSQL refuses the row; retrying could not help.
        sink.Write("too long", new string('a', 44), "LEGAL_LOG_COMMAND_WRITE_ERROR");
        sink.Write("fine", "2001:db8::1", "LEGAL_LOG_LEASE6_WRITE_ERROR");

        var row = Assert.Single(await RowsAsync(name, 1));
        Assert.Equal(("2001:db8::1", "fine"), (row.Address, row.Log));
        Assert.Equal(1, sink.DeferredFailures);
        Assert.Null(sink.LostReason);
        var error = Assert.Single(_logs.Entries, e => e.EventName == "LEGAL_LOG_COMMAND_WRITE_ERROR");
        Assert.StartsWith("Could not write to the legal store: 22001", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Records what is logged, with its message id, to assert on Kea's messages.</summary>
internal sealed class ForensicCapturingLoggers : ILoggerFactory
{
    private readonly ConcurrentQueue<(string EventName, string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string EventName, string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ForensicCapturingLoggers owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((eventId.Name ?? string.Empty, category, logLevel, formatter(state, exception)));
    }
}
