using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// A lease file long enough to be parsed in many batches on the thread pool (<see cref="LeaseRowBatches"/>) replays
/// as one read row by row would: in file order (later rows win, valid lifetime 0 deletes), with the file's own line
/// numbers in its errors, and a bad row that stops the load stops it where it is.
/// </summary>
public sealed class LeaseFileParallelLoadTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static string Row(int host, int valid, string hostname = "", string userContext = "") => string.Create(
        CultureInfo.InvariantCulture,
        $"2001:db8::{host:x},00:01:00:01:{host >> 8 & 255:x2}:{host & 255:x2},{valid},{1_800_000_000 + valid},1,{valid / 2},0,{host},128,0,0,{hostname},,0,{userContext},1,0,0");

    private string Write(IEnumerable<string> rows)
    {
        var path = Path.Combine(_directory.Path, "leases.csv");
        File.WriteAllLines(path, rows.Prepend(LeaseCsvSchema.HeaderLine));
        return path;
    }

    [Fact]
    public void Rows_across_many_batches_replay_in_file_order()
    {
        // Three passes over 8000 addresses: the first adds, the second replaces, the third deletes every third one;
        // blank lines here and there. The passes are far apart, so each row and its replacement are in other batches.
        const int Hosts = 8000;
        var rows = new List<string>();
        for (var pass = 0; pass < 3; pass++)
        {
            for (var host = 1; host <= Hosts; host++)
            {
                var valid = pass switch
                {
                    0 => 1000,
                    1 => 2000 + host,
                    _ => host % 3 == 0 ? 0 : 3000 + host,
                };
                rows.Add(pass == 1 && host % 3 != 0 ? Row(host, valid, hostname: "second") : Row(host, valid));
                if (host % 997 == 0)
                {
                    rows.Add(string.Empty);
                }
            }
        }

        var leases = new Dictionary<Ipv6Address, Lease6>();
        var stats = LeaseFileLoader.Load(Write(rows), leases, maxRowErrors: 0, NullLogger.Instance);

        Assert.Equal((3 * Hosts, 2 * Hosts + (Hosts - (Hosts / 3)), Hosts / 3, 0), (stats.Rows, stats.Stored, stats.Deleted, stats.Errors));
        Assert.Equal(Hosts - (Hosts / 3), leases.Count);
        for (var host = 1; host <= Hosts; host++)
        {
            var address = Ipv6Address.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8::{host:x}"));
            if (host % 3 == 0)
            {
                Assert.False(leases.ContainsKey(address));
                continue;
            }

            // The third pass's row, which left the hostname empty: it won over the second's.
            var lease = leases[address];
            Assert.Equal(((uint)(3000 + host), string.Empty, (uint)host), (lease.ValidLifetime, lease.Hostname, lease.Iaid));
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6001)]
    [InlineData(12_345)]
    public void A_bad_row_deep_in_the_file_is_reported_at_its_own_line(int badRow)
    {
        // Blank lines before the bad row shift the line numbers away from the row count.
        var rows = Enumerable.Range(1, 13_000).Select(h => Row(h, 1000)).ToList();
        rows[badRow - 1] = "2001:db8::zz,00:01,1000,1800001000,1,500,0,1,128,0,0,,,0,,1,0,0";
        rows.Insert(1, string.Empty);
        rows.Insert(1, string.Empty);

        var leases = new Dictionary<Ipv6Address, Lease6>();
        var error = Assert.Throws<LeaseFileException>(() => LeaseFileLoader.Load(Write(rows), leases, maxRowErrors: 0, NullLogger.Instance, stopAtBadRow: true));

        // The header is line 1, the two blank lines are 3 and 4 (after the first row).
        var line = badRow + 3;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"invalid row at line {line}: invalid address '2001:db8::zz'"), error.Message, StringComparison.Ordinal);

        // Every row before it was replayed, none after it.
        Assert.Equal(badRow - 1, leases.Count);
    }

    [Fact]
    public void Too_many_bad_rows_stop_the_load_at_the_row_over_the_limit_and_the_next_load_is_unaffected()
    {
        var rows = Enumerable.Range(1, 20_000).Select(h => h % 2500 == 0 ? "not,a,lease" : Row(h, 1000)).ToList();
        var path = Write(rows);

        var leases = new Dictionary<Ipv6Address, Lease6>();
        var error = Assert.Throws<LeaseFileException>(() => LeaseFileLoader.Load(path, leases, maxRowErrors: 3, NullLogger.Instance));
        Assert.Contains("more than max-row-errors (3) invalid rows; last at line 10001", error.Message, StringComparison.Ordinal);
        Assert.Equal(9996, leases.Count);

        var again = new Dictionary<Ipv6Address, Lease6>();
        var stats = LeaseFileLoader.Load(path, again, maxRowErrors: 0, NullLogger.Instance);
        Assert.Equal((20_000, 19_992, 8), (stats.Rows, stats.Stored, stats.Errors));
    }

    [Fact]
    public void A_row_longer_than_a_batch_holds_is_read_whole()
    {
        // A user context of 600 KB (a batch starts with 256 KB of text) between ordinary rows.
        var context = "{ \"big\": \"" + new string('x', 600_000) + "\" }";
        var rows = Enumerable.Range(1, 5000).Select(h => Row(h, 1000, userContext: h == 2500 ? context.Replace(",", "&#x2c", StringComparison.Ordinal) : "")).ToList();

        var leases = new Dictionary<Ipv6Address, Lease6>();
        var stats = LeaseFileLoader.Load(Write(rows), leases, maxRowErrors: 0, NullLogger.Instance);

        Assert.Equal((5000, 0), (stats.Stored, stats.Errors));
        Assert.Equal(context, leases[Ipv6Address.Parse("2001:db8::9c4")].UserContext);
        Assert.Null(leases[Ipv6Address.Parse("2001:db8::9c5")].UserContext);
    }

    [Fact]
    public void A_file_of_only_a_header_or_nothing_loads_nothing()
    {
        var leases = new Dictionary<Ipv6Address, Lease6>();
        Assert.Equal(0, LeaseFileLoader.Load(Write([]), leases, maxRowErrors: 0, NullLogger.Instance).Rows);
        File.WriteAllText(Path.Combine(_directory.Path, "empty.csv"), string.Empty, Encoding.UTF8);
        Assert.Equal(0, LeaseFileLoader.Load(Path.Combine(_directory.Path, "empty.csv"), leases, maxRowErrors: 0, NullLogger.Instance).HeaderColumns);
        Assert.Empty(leases);
    }
}
