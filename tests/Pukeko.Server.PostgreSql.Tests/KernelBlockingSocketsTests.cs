using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Pukeko.Server.PostgreSql.Tests;

/// <summary>
/// The packet workers' connections block in the kernel, outside .NET's socket engine (<see cref="KernelBlockingSockets"/>),
/// and still end a statement on a timeout or a lost backend. Read from the kernel's own view: /proc/self/fdinfo.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
public sealed partial class KernelBlockingSocketsTests(PostgreSqlCluster cluster)
{
    private const int NonBlockingFlag = 0x800; // O_NONBLOCK

    [PostgreSqlFact]
    public async Task A_workers_connection_blocks_in_the_kernel_outside_every_epoll_set_and_an_asynchronous_one_does_not()
    {
        using var pools = await PoolsAsync();

        using var worker = pools.For(blocking: true).OpenConnection();
        Assert.Equal(1, SelectOne(worker));
        var workerFd = Fd(worker);
        Assert.False(IsNonBlocking(workerFd), "the worker's socket is still non-blocking");
        Assert.DoesNotContain(workerFd, EpollMembers());

        // The control: what Npgsql makes of a connection on its own, once it has waited for a reply.
        await using var other = await pools.Asynchronous.OpenConnectionAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_sleep(0.05)", other))
        {
            await command.ExecuteScalarAsync();
        }

        var otherFd = Fd(other);
        Assert.True(IsNonBlocking(otherFd));
        Assert.Contains(otherFd, EpollMembers());
    }

    [PostgreSqlFact]
    public async Task A_command_timeout_still_ends_a_read_that_blocks_in_the_kernel()
    {
        using var pools = await PoolsAsync();
        using var connection = pools.For(blocking: true).OpenConnection();
        Assert.False(IsNonBlocking(Fd(connection)));
        using var command = new NpgsqlCommand("SELECT pg_sleep(30)", connection) { CommandTimeout = 1 };

        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<NpgsqlException>(() => command.ExecuteScalar());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the statement ended after {watch.Elapsed}, not at its timeout");
    }

    [PostgreSqlFact]
    public async Task A_backend_ended_under_a_read_that_blocks_in_the_kernel_fails_the_statement()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        using var pools = new PgSqlConnectionPools(cluster.Settings(name).ToConnectionString());
        using var connection = pools.For(blocking: true).OpenConnection();
        Assert.False(IsNonBlocking(Fd(connection)));
        var backend = connection.ProcessID;
        var sleeping = Task.Factory.StartNew(
            () =>
            {
                using var command = new NpgsqlCommand("SELECT pg_sleep(25)", connection) { CommandTimeout = 60 };
                command.ExecuteScalar();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await using var admin = cluster.AdminDataSource(name);
        for (var i = 0; i < 100 && !await IsActiveAsync(admin, backend); i++)
        {
            await Task.Delay(50);
        }

        await PostgreSqlCluster.ExecuteAsync(admin, $"SELECT pg_terminate_backend({backend})");
        var watch = Stopwatch.StartNew();
        var error = await Record.ExceptionAsync(() => sleeping.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.NotNull(error);
        Assert.IsNotType<TimeoutException>(error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the statement failed after {watch.Elapsed}");
    }

    private async Task<PgSqlConnectionPools> PoolsAsync()
    {
        var name = await cluster.CreateDatabaseAsync(PostgreSqlCluster.KeaSchema.Kea22);
        return new PgSqlConnectionPools(cluster.Settings(name).ToConnectionString());
    }

    private static async Task<bool> IsActiveAsync(NpgsqlDataSource admin, int backend)
    {
        await using var command = admin.CreateCommand($"SELECT count(*) FROM pg_stat_activity WHERE pid = {backend} AND state = 'active'");
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    private static int SelectOne(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)command.ExecuteScalar()!;
    }

    private static int Fd(NpgsqlConnection connection) =>
        (int)KernelBlockingSockets.SocketOf(connection)!.SafeHandle.DangerousGetHandle();

    /// <summary>The file status flags the kernel reports (octal, as /proc prints them).</summary>
    private static bool IsNonBlocking(int fd)
    {
        var flags = File.ReadLines($"/proc/self/fdinfo/{fd}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & NonBlockingFlag) != 0;
    }

    /// <summary>Every descriptor in any epoll set of this process.</summary>
    private static HashSet<int> EpollMembers()
    {
        var members = new HashSet<int>();
        foreach (var epoll in KernelBlockingSockets.EpollDescriptors())
        {
            foreach (Match m in TargetFd().Matches(File.ReadAllText($"/proc/self/fdinfo/{epoll}")))
            {
                members.Add(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        return members;
    }

    [GeneratedRegex(@"^tfd:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex TargetFd();
}
