using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>Persistence and loading of the memfile store.</summary>
public sealed class MemfileLeaseStoreTests : IDisposable
{
    private const string RowA = "2001:db8::a,00:01:02:03,3600,1700003600,1,1800,0,1,128,0,0,a,,0,,0,0,0";
    private const string RowB = "2001:db8::b,00:01:02:04,3600,1700003600,1,1800,0,1,128,0,0,b,,0,,0,0,0";

    private readonly LeaseTestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MemfileLeaseStore Open(uint maxRowErrors = 0, ILogger? logger = null)
    {
        var store = new MemfileLeaseStore(
            new MemfileOptions(_dir.LeaseFile, LfcIntervalSeconds: 0, MaxRowErrors: maxRowErrors),
            logger ?? NullLogger.Instance,
            TimeProvider.System);
        store.Open();
        return store;
    }

    private static string Row(string address, string hostname, uint valid = 3600) =>
        $"{address},00:01:02:03,{valid},{1_700_000_000 + valid},1,1800,0,1,128,0,0,{hostname},,0,,0,0,0";

    private string HostnameOf(string address)
    {
        using var store = Open();
        return store.Get(Ipv6Address.Parse(address))?.Hostname ?? "<none>";
    }

    [Fact]
    public void New_file_gets_the_header_and_one_flushed_row_per_change()
    {
        using var store = Open();
        Assert.Equal([LeaseSamples.Header], _dir.ReadLines(""));

        var lease = LeaseSamples.Na("2001:db8::1", cltt: 1000, valid: 100);
        store.Add(lease);

        // Readable by another reader while the store is open: the row was handed to the OS.
        Assert.Equal([LeaseSamples.Header, LeaseRows.Row(lease)], _dir.ReadLines(""));

        lease.Hostname = "renewed";
        store.Replace(lease);
        store.Remove(lease);
        var lines = _dir.ReadLines("");
        Assert.Equal(4, lines.Length);
        Assert.Equal(LeaseRows.Row(lease), lines[2]);
        Assert.Equal("2001:db8::1,00:01:00:01:2a:2b:2c:2d:08:00:27:00:00:01,0,1000,1,0,0,1,128,0,0,renewed,,0,,0,0,0", lines[3]);
    }

    [Fact]
    public void Failed_operations_write_nothing()
    {
        using var store = Open();
        var lease = LeaseSamples.Na("2001:db8::1");
        store.Add(lease);
        Assert.False(store.Add(lease));
        Assert.False(store.Replace(LeaseSamples.Na("2001:db8::2")));
        Assert.False(store.Remove(LeaseSamples.Na("2001:db8::2")));
        Assert.Equal(2, _dir.ReadLines("").Length);
    }

    [Fact]
    public void Lease_without_duid_is_refused_and_not_stored()
    {
        using var store = Open();
        var lease = LeaseSamples.Na("2001:db8::1");
        lease.Duid = [];
        Assert.Throws<ArgumentException>(() => store.Add(lease));
        Assert.Equal(0, store.Count);
        Assert.Single(_dir.ReadLines(""));
    }

    [Fact]
    public void Reopen_restores_the_same_leases()
    {
        string[] expected;
        using (var store = Open())
        {
            for (var i = 1; i <= 20; i++)
            {
                store.Add(LeaseSamples.Na($"2001:db8::{i:x}", client: (byte)i, cltt: 1000 + i));
            }

            store.Add(LeaseSamples.Full());
            store.Add(LeaseSamples.Pd("2001:db8:ff00::", 56));
            var changed = store.Get(Ipv6Address.Parse("2001:db8::5"))!;
            changed.Hostname = "five, updated";
            changed.State = LeaseState.ExpiredReclaimed;
            store.Replace(changed);
            store.Remove(store.Get(Ipv6Address.Parse("2001:db8::6"))!);
            var declined = store.Get(Ipv6Address.Parse("2001:db8::7"))!;
            declined.Decline(86400, 5000);
            store.Replace(declined);
            expected = LeaseRows.Rows(store.GetAll());
        }

        using var reopened = Open();
        Assert.Equal(21, reopened.Count);
        Assert.Equal(expected, LeaseRows.Rows(reopened.GetAll()));
        Assert.Equal("five, updated", reopened.Get(Ipv6Address.Parse("2001:db8::5"))!.Hostname);
        Assert.True(reopened.IndexesConsistent());
    }

    [Fact]
    public void Last_row_wins_and_zero_valid_deletes()
    {
        _dir.Write("", LeaseSamples.Header,
            Row("2001:db8::1", "first"),
            Row("2001:db8::2", "two"),
            Row("2001:db8::1", "second"),
            Row("2001:db8::2", "gone", valid: 0),
            Row("2001:db8::3", "never-existed", valid: 0));
        using var store = Open();
        Assert.Equal(1, store.Count);
        Assert.Equal("second", store.Get(Ipv6Address.Parse("2001:db8::1"))!.Hostname);
    }

    [Fact]
    public void Files_load_in_order_2_then_1_then_current()
    {
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "from-2"), Row("2001:db8::2", "from-2"), Row("2001:db8::3", "from-2"));
        _dir.Write(".1", LeaseSamples.Header, Row("2001:db8::2", "from-1"), Row("2001:db8::3", "from-1"));
        _dir.Write("", LeaseSamples.Header, Row("2001:db8::3", "current"));

        Assert.Equal("from-2", HostnameOf("2001:db8::1"));
        Assert.Equal("from-1", HostnameOf("2001:db8::2"));
        Assert.Equal("current", HostnameOf("2001:db8::3"));
    }

    [Fact]
    public void Completed_file_supersedes_2_and_1()
    {
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "from-2"), Row("2001:db8::9", "only-in-2"));
        _dir.Write(".1", LeaseSamples.Header, Row("2001:db8::1", "from-1"));
        _dir.Write(".completed", LeaseSamples.Header, Row("2001:db8::1", "completed"));
        _dir.Write(".output", LeaseSamples.Header, Row("2001:db8::1", "partial-output"));

        Assert.Equal("completed", HostnameOf("2001:db8::1"));
        Assert.Equal("<none>", HostnameOf("2001:db8::9"));
    }

    [Fact]
    public void Delete_row_in_current_removes_lease_from_older_file()
    {
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "old"));
        _dir.Write("", LeaseSamples.Header, Row("2001:db8::1", "old", valid: 0));
        Assert.Equal("<none>", HostnameOf("2001:db8::1"));
    }

    [Fact]
    public void Eighteen_column_file_loads_without_conversion()
    {
        var lines = new[] { LeaseSamples.Header, LeaseRows.Row(LeaseSamples.Full()), LeaseRows.Row(LeaseSamples.Pd("2001:db8:ff00::", 56)) };
        _dir.Write("", lines);
        using (var store = Open())
        {
            Assert.Equal(2, store.Count);
            Assert.Equal(LeaseRows.Row(LeaseSamples.Full()), LeaseRows.Row(store.Get(LeaseSamples.Full().Address)!));
        }

        Assert.Equal(lines, _dir.ReadLines(""));
        Assert.Equal(["kea-leases6.csv"], _dir.FileNames());
    }

    [Fact]
    public void Kea22_file_is_loaded_and_converted_to_18_columns_at_once()
    {
        _dir.Write("", LeaseSamples.Kea22Header,
            "2001:db8:1::1,00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f,200,200,8,100,0,7,128,1,1,host.example.com,,0,,0,0",
            "2001:db8:2::,00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f,3600,1700003600,9,1800,2,8,56,0,0,,08:00:2b:01:02:03,0,{ \"foo\": true },1,2");

        using (var store = Open())
        {
            Assert.Equal(2, store.Count);
            var pd = store.Get(Ipv6Address.Parse("2001:db8:2::"))!;
            Assert.Equal(LeaseType.PD, pd.Type);
            Assert.Equal(56, pd.PrefixLength);
            Assert.Equal("{ \"foo\": true }", pd.UserContext);
            Assert.Equal(0u, pd.PoolId);

            // Conversion = immediate LFC: old file rotated, merged into .2 with the new header.
            Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
            Assert.Equal([LeaseSamples.Header], _dir.ReadLines(""));
            Assert.Equal(
                [
                    LeaseSamples.Header,
                    "2001:db8:1::1,00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f,200,200,8,100,0,7,128,1,1,host.example.com,,0,,0,0,0",
                    "2001:db8:2::,00:01:02:03:04:05:06:0a:0b:0c:0d:0e:0f,3600,1700003600,9,1800,2,8,56,0,0,,08:00:2b:01:02:03,0,{ \"foo\": true },1,2,0",
                ],
                _dir.ReadLines(".2"));

            // New rows go to the 18-column current file.
            store.Add(LeaseSamples.Na("2001:db8::77"));
            Assert.Equal(18, _dir.ReadLines("")[1].Split(',').Length);
        }

        using var reopened = Open();
        Assert.Equal(3, reopened.Count);
    }

    [Fact]
    public void Conversion_first_finishes_a_pending_cleanup()
    {
        _dir.Write(".2", LeaseSamples.Header, Row("2001:db8::1", "from-2"));
        _dir.Write(".1", LeaseSamples.Header, Row("2001:db8::2", "from-1"));
        _dir.Write("", LeaseSamples.Kea22Header, "2001:db8::3,00:01:02:03,3600,1700003600,1,1800,0,1,128,0,0,cur,,0,,0,0");
        using (var store = Open())
        {
            Assert.Equal(3, store.Count);
        }

        Assert.Equal(["kea-leases6.csv", "kea-leases6.csv.2"], _dir.FileNames());
        Assert.Equal(4, _dir.ReadLines(".2").Length);
        Assert.Equal("cur", HostnameOf("2001:db8::3"));
    }

    [Fact]
    public void Bad_rows_are_skipped_and_logged_with_file_and_line()
    {
        _dir.Write("", LeaseSamples.Header, RowA, "garbage", "", RowB, "2001:db8::c,00:00:00,1,1,1,1,0,1,128,0,0,,,0,,0,0,0");
        var logger = new LeaseListLogger();
        using var store = Open(logger: logger);
        Assert.Equal(2, store.Count);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(2, warnings.Length);
        Assert.Contains($"{_dir.LeaseFile}:3", warnings[0], StringComparison.Ordinal);
        Assert.Contains($"{_dir.LeaseFile}:6", warnings[1], StringComparison.Ordinal);
        Assert.Contains("empty DUID", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_bad_rows_fail_open_with_a_clear_message()
    {
        _dir.Write("", LeaseSamples.Header, RowA, "bad-1", "bad-2", RowB);

        using (var tolerant = Open(maxRowErrors: 2))
        {
            Assert.Equal(2, tolerant.Count);
        }

        var ex = Assert.Throws<LeaseFileException>(() => Open(maxRowErrors: 1));
        Assert.Contains("max-row-errors (1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_dir.LeaseFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_header_fails_open()
    {
        _dir.Write("", "address,duid,something", RowA);
        var ex = Assert.Throws<LeaseFileException>(() => Open());
        Assert.Contains("invalid header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_cut_short_by_a_crash_does_not_corrupt_the_next_row()
    {
        File.WriteAllText(_dir.LeaseFile, LeaseSamples.Header + "\n" + RowA + "\n" + "2001:db8::b,00:01:02");
        var logger = new LeaseListLogger();
        using (var store = Open(logger: logger))
        {
            Assert.Equal(1, store.Count);
            store.Add(LeaseSamples.Na("2001:db8::1"));
        }

        using var reopened = Open();
        Assert.Equal(2, reopened.Count);
    }

    [Fact]
    public void Empty_existing_file_gets_a_header()
    {
        File.WriteAllText(_dir.LeaseFile, string.Empty);
        using var store = Open();
        store.Add(LeaseSamples.Na("2001:db8::1"));
        Assert.Equal(LeaseSamples.Header, _dir.ReadLines("")[0]);
    }

    [Fact]
    public void Created_files_are_mode_0640()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using (var store = Open())
        {
            store.Add(LeaseSamples.Na("2001:db8::1"));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_dir.LeaseFile));
    }

    [Fact]
    public void Open_refuses_while_another_process_runs_lfc()
    {
        // PID 1 (init) is always alive and is not us.
        Assert.NotEqual(1, Environment.ProcessId);
        File.WriteAllText(_dir.File(".pid"), "1\n");
        var ex = Assert.Throws<LeaseFileException>(() => Open());
        Assert.Contains("lease file cleanup is running", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_pid_file_does_not_block_open()
    {
        File.WriteAllText(_dir.File(".pid"), "999999999\n");
        using var store = Open();
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Persist_false_touches_no_file()
    {
        using (var store = new MemfileLeaseStore(new MemfileOptions(_dir.LeaseFile, Persist: false), NullLogger.Instance, TimeProvider.System))
        {
            store.Open();
            store.Add(LeaseSamples.Na("2001:db8::1"));
            Assert.Equal(1, store.Count);
        }

        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void Operations_before_open_are_rejected()
    {
        using var store = new MemfileLeaseStore(new MemfileOptions(_dir.LeaseFile), NullLogger.Instance, TimeProvider.System);
        Assert.Throws<InvalidOperationException>(() => store.Add(LeaseSamples.Na("2001:db8::1")));
    }
}
