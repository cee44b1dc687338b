using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>In-process lease file cleanup and its file-name protocol.</summary>
public sealed class MemfileLfcTests : IDisposable
{
    private readonly LeaseTestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MemfileLeaseStore Open(ILogger? logger = null, TimeProvider? time = null, uint interval = 0)
    {
        var store = new MemfileLeaseStore(
            new MemfileOptions(_dir.LeaseFile, LfcIntervalSeconds: interval),
            logger ?? NullLogger.Instance,
            time ?? TimeProvider.System);
        store.Open();
        return store;
    }

    private static string Row(string address, string hostname, uint valid = 3600) =>
        $"{address},00:01:02:03,{valid},{1_700_000_000 + valid},1,1800,0,1,128,0,0,{hostname},,0,,0,0,0";

    [Fact]
    public async Task Lfc_leaves_one_row_per_live_lease_in_2_and_an_empty_current_file()
    {
        using var store = Open();
        for (var i = 1; i <= 10; i++)
        {
            store.Add(LeaseSamples.Na($"2001:db8::{i}", client: (byte)i));
        }

        for (var round = 0; round < 2; round++)
        {
            for (var i = 1; i <= 5; i++)
            {
                var lease = store.Get(Ipv6Address.Parse($"2001:db8::{i}"))!;
                lease.Hostname = $"h{i}-{round}";
                store.Replace(lease);
            }
        }

        foreach (var i in new[] { 2, 4, 9 })
        {
            store.Remove(store.Get(Ipv6Address.Parse($"2001:db8::{i}"))!);
        }

        var live = LeaseRows.Rows(store.GetAll());
        Assert.Equal(7, live.Length);
        Assert.Equal(1 + 10 + 10 + 3, _dir.ReadLines("").Length);

        await store.RunLfcAsync(CancellationToken.None);

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        Assert.Equal([LeaseSamples.Header], _dir.ReadLines(""));
        var cleaned = _dir.ReadLines(".2");
        Assert.Equal(LeaseSamples.Header, cleaned[0]);
        Assert.Equal(live, cleaned[1..]);

        // The store keeps working, now appending to the new current file.
        store.Add(LeaseSamples.Na("2001:db8::100"));
        Assert.Equal(2, _dir.ReadLines("").Length);
        Assert.Equal(8, store.Count);
    }

    [Fact]
    public async Task Second_lfc_merges_previous_output_with_new_rows()
    {
        using (var store = Open())
        {
            store.Add(LeaseSamples.Na("2001:db8::1"));
            store.Add(LeaseSamples.Na("2001:db8::2"));
            await store.RunLfcAsync(CancellationToken.None);

            store.Remove(store.Get(Ipv6Address.Parse("2001:db8::1"))!);
            store.Add(LeaseSamples.Na("2001:db8::3"));
            await store.RunLfcAsync(CancellationToken.None);
        }

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        var rows = _dir.ReadLines(".2")[1..];
        Assert.Equal(["2001:db8::2", "2001:db8::3"], rows.Select(r => r.Split(',')[0]).ToArray());

        using var reopened = Open();
        Assert.Equal(2, reopened.Count);
        Assert.Null(reopened.Get(Ipv6Address.Parse("2001:db8::1")));
    }

    [Fact]
    public async Task Lfc_output_files_are_mode_0640()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var store = Open();
        store.Add(LeaseSamples.Na("2001:db8::1"));
        await store.RunLfcAsync(CancellationToken.None);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_dir.File(".2")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_dir.LeaseFile));
    }

    [Fact]
    public async Task Pending_input_is_finished_without_rotating_the_current_file()
    {
        // State left by an LFC interrupted before it produced .completed.
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "from-2"));
        _dir.Write(".1", LeaseSamples.Header, Row("2001:db8::1", "from-1"), Row("2001:db8::2", "from-1"));
        _dir.Write(".output", LeaseSamples.Header, "half-written");
        _dir.Write("", LeaseSamples.Header, Row("2001:db8::3", "current"));

        using var store = Open();
        Assert.Equal(3, store.Count);
        await store.RunLfcAsync(CancellationToken.None);

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        Assert.Equal([LeaseSamples.Header, Row("2001:db8::1", "from-1"), Row("2001:db8::2", "from-1")], _dir.ReadLines(".2"));
        Assert.Equal([LeaseSamples.Header, Row("2001:db8::3", "current")], _dir.ReadLines(""));
    }

    [Fact]
    public async Task Completed_output_of_an_interrupted_run_is_rotated_into_place()
    {
        // State left by an LFC interrupted after .completed was written.
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "stale"));
        _dir.Write(".1", LeaseSamples.Header, Row("2001:db8::1", "stale"));
        _dir.Write(".completed", LeaseSamples.Header, Row("2001:db8::1", "done"));
        _dir.Write("", LeaseSamples.Header, Row("2001:db8::2", "current"));

        var logger = new LeaseListLogger();
        using var store = Open(logger);
        await store.RunLfcAsync(CancellationToken.None);

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        Assert.Equal([LeaseSamples.Header, Row("2001:db8::1", "done")], _dir.ReadLines(".2"));
        Assert.Equal([LeaseSamples.Header, Row("2001:db8::2", "current")], _dir.ReadLines(""));
        Assert.Contains(logger.Entries, e => e.Message.Contains("resumed an interrupted run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lfc_logs_start_and_end_with_counts()
    {
        var logger = new LeaseListLogger();
        using var store = Open(logger);
        store.Add(LeaseSamples.Na("2001:db8::1"));
        store.Add(LeaseSamples.Na("2001:db8::2"));
        store.Remove(LeaseSamples.Na("2001:db8::2"));
        await store.RunLfcAsync(CancellationToken.None);

        var messages = logger.Entries.Select(e => e.Message).ToArray();
        Assert.Contains(messages, m => m.Contains("cleanup", StringComparison.Ordinal) && m.Contains("started", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("3 rows read, 0 invalid, 1 leases written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lfc_is_skipped_while_another_process_holds_the_pid_file()
    {
        using var store = Open();
        store.Add(LeaseSamples.Na("2001:db8::1"));
        Assert.NotEqual(1, Environment.ProcessId);
        File.WriteAllText(_dir.File(".pid"), "1\n");

        await store.RunLfcAsync(CancellationToken.None);

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.pid"], _dir.FileNames());
        Assert.Equal(2, _dir.ReadLines("").Length);
    }

    [Fact]
    public async Task Concurrent_adds_during_lfc_lose_nothing()
    {
        const int threads = 4;
        const int perThread = 400;
        using (var store = Open())
        {
            using var start = new Barrier(threads + 1);
            var writers = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < perThread; i++)
                {
                    var lease = LeaseSamples.Na($"2001:db8:{t + 1}::{i + 1:x}", client: (byte)t, iaid: (uint)i);
                    Assert.True(store.Add(lease));
                    if (i % 7 == 0)
                    {
                        lease.Hostname = "updated";
                        Assert.True(store.Replace(lease));
                    }
                }
            })).ToArray();

            start.SignalAndWait();
            while (!writers.All(w => w.IsCompleted))
            {
                await store.RunLfcAsync(CancellationToken.None);
            }

            await Task.WhenAll(writers);
            await store.RunLfcAsync(CancellationToken.None);
            store.Add(LeaseSamples.Na("2001:db8::ffff"));
            Assert.Equal(threads * perThread + 1, store.Count);
        }

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        using var reopened = Open();
        Assert.Equal(threads * perThread + 1, reopened.Count);
        Assert.Equal(threads * ((perThread + 6) / 7), reopened.GetAll().Count(l => l.Hostname == "updated"));
    }

    [Fact]
    public async Task Overlapping_lfc_requests_leave_one_consistent_file_set()
    {
        using var store = Open();
        for (var i = 1; i <= 2000; i++)
        {
            store.Add(LeaseSamples.Na($"2001:db8::{i:x}"));
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.RunLfcAsync(CancellationToken.None)));
        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        Assert.Equal(2001, _dir.ReadLines(".2").Length);
    }

    [Fact]
    public async Task Timer_started_by_open_runs_lfc_at_the_configured_interval()
    {
        var time = new LeaseManualTimeProvider();
        using (var store = Open(time: time, interval: 600))
        {
            var timer = Assert.Single(time.Timers);
            Assert.Equal(TimeSpan.FromSeconds(600), timer.DueTime);
            Assert.Equal(TimeSpan.FromSeconds(600), timer.Period);

            store.Add(LeaseSamples.Na("2001:db8::1"));
            timer.Fire();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!_dir.Exists(".2") || _dir.Exists(".1") || _dir.Exists(".pid"))
            {
                Assert.True(DateTime.UtcNow < deadline, "timer-triggered LFC did not finish");
                await Task.Delay(20);
            }

            Assert.Equal(2, _dir.ReadLines(".2").Length);
            Assert.False(timer.Disposed);
        }

        Assert.True(time.Timers[0].Disposed);
    }

    [Fact]
    public void No_timer_when_interval_is_zero()
    {
        var time = new LeaseManualTimeProvider();
        using var store = Open(time: time, interval: 0);
        Assert.Empty(time.Timers);
    }

    [Fact]
    public async Task Lfc_without_persistence_does_nothing()
    {
        using var store = new MemfileLeaseStore(new MemfileOptions(_dir.LeaseFile, Persist: false), NullLogger.Instance, TimeProvider.System);
        store.Open();
        store.Add(LeaseSamples.Na("2001:db8::1"));
        await store.RunLfcAsync(CancellationToken.None);
        Assert.Empty(_dir.FileNames());
    }
}
