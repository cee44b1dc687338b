using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>The queries the lease commands and statistics need, answered from indexes, and lease6-write.</summary>
public sealed class LeaseStoreQueryTests
{
    private static MemfileLeaseStore Open(string? path = null)
    {
        var store = new MemfileLeaseStore(new MemfileOptions(path ?? "/unused.csv", Persist: path is not null), NullLogger.Instance, TimeProvider.System);
        store.Open();
        return store;
    }

    private static Lease6 Lease(string address, uint subnet = 1, string hostname = "")
    {
        var lease = LeaseSamples.Na(address);
        lease.SubnetId = subnet;
        lease.Hostname = hostname;
        return lease;
    }

    [Fact]
    public void Pages_walk_every_lease_once_in_address_order()
    {
        using var store = Open();
        var random = new Random(7);
        var addresses = Enumerable.Range(0, 50).Select(_ => Ipv6Address.Parse("2001:db8::").Add((UInt128)random.Next(1, 100_000))).Distinct().ToList();
        foreach (var address in addresses)
        {
            store.Add(Lease(address.ToString()));
        }

        var seen = new List<Ipv6Address>();
        Ipv6Address? from = null;
        while (store.GetPage(from, 7) is { Count: > 0 } page)
        {
            Assert.True(page.Count <= 7);
            seen.AddRange(page.Select(l => l.Address));
            from = page[^1].Address;
        }

        Assert.Equal(addresses.Order(), seen);
    }

    [Fact]
    public void Every_indexed_query_agrees_with_a_scan_of_all_leases_after_random_changes()
    {
        using var store = Open();
        var random = new Random(11);
        var hostnames = new[] { "", "a.example", "A.EXAMPLE", "b.example" };
        var hardware = new byte[]?[] { null, [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1] };
        for (var step = 0; step < 2000; step++)
        {
            var lease = Lease($"2001:db8::{random.Next(1, 200):x}", subnet: (uint)random.Next(1, 4), hostname: hostnames[random.Next(hostnames.Length)]);
            lease.HardwareAddress = hardware[random.Next(hardware.Length)];
            lease.State = (LeaseState)random.Next(0, 4);
            lease.Cltt += random.Next(0, 1000);
            switch (random.Next(3))
            {
                case 0:
                    store.Add(lease);
                    break;
                case 1:
                    store.Replace(lease);
                    break;
                default:
                    store.Remove(lease);
                    break;
            }
        }

        Assert.True(store.IndexesConsistent());
        var all = store.GetAll();
        Assert.NotEmpty(all);
        static IEnumerable<Ipv6Address> Sorted(IEnumerable<Lease6> leases) => leases.Select(l => l.Address).Order();
        for (uint subnet = 1; subnet <= 4; subnet++)
        {
            Assert.Equal(Sorted(all.Where(l => l.SubnetId == subnet)), Sorted(store.GetBySubnet(subnet)));
        }

        foreach (var state in Enum.GetValues<LeaseState>())
        {
            Assert.Equal(Sorted(all.Where(l => l.State == state)), Sorted(store.GetByState(state)));
        }

        Assert.Equal(Sorted(all.Where(l => string.Equals(l.Hostname, "a.example", StringComparison.OrdinalIgnoreCase))), Sorted(store.GetByHostname("A.Example")));
        Assert.Equal(Sorted(all.Where(l => l.HardwareAddress is [1, 2, 3, 4, 5, 6])), Sorted(store.GetByHardwareAddress([1, 2, 3, 4, 5, 6])));
        // A narrow range is walked address by address, one holding most leases is counted from the address table.
        foreach (var (from, to) in ((string, string)[])[("2001:db8::40", "2001:db8::48"), ("2001:db8::40", "2001:db8::80"), ("2001:db8::", "2001:db8::ffff")])
        {
            var first = Ipv6Address.Parse(from);
            var last = Ipv6Address.Parse(to);
            var inRange = all.Where(l => l.Address >= first && l.Address <= last).ToList();
            Assert.Equal(inRange.Count, store.CountRange(first, last).Sum(c => c.Count));
            foreach (var group in inRange.GroupBy(l => (l.SubnetId, l.Type, l.State)))
            {
                Assert.Contains(new LeaseCount(group.Key.SubnetId, group.Key.Type, group.Key.State, group.Count()), store.CountRange(first, last));
            }
        }
    }

    [Fact]
    public void A_page_after_the_highest_address_or_beyond_it_is_empty()
    {
        using var store = Open();
        store.Add(Lease("2001:db8::1"));
        store.Add(Lease("2001:db8::5"));

        Assert.Empty(store.GetPage(Ipv6Address.Parse("2001:db8::5"), 10));
        Assert.Empty(store.GetPage(Ipv6Address.Parse("2001:db8::9"), 10));
        Assert.Equal(["2001:db8::5"], store.GetPage(Ipv6Address.Parse("2001:db8::2"), 10).Select(l => l.Address.ToString()));
        Assert.Empty(store.CountRange(Ipv6Address.Parse("2001:db8::9"), Ipv6Address.Parse("2001:db8::2")));
    }

    [Fact]
    public void Write_leases_to_the_live_file_keeps_a_backup_and_later_rows_land_in_the_new_file()
    {
        using var dir = new TempDirectory();
        var live = Path.Combine(dir.Path, "leases.csv");
        using (var store = Open(live))
        {
            store.Add(Lease("2001:db8::1"));
            store.Add(Lease("2001:db8::2"));
            store.Remove(Lease("2001:db8::2"));
            store.WriteLeases(live);
            store.Add(Lease("2001:db8::3"));
        }

        Assert.True(File.Exists($"{live}.bak{Environment.ProcessId}"));
        var lines = File.ReadAllLines(live);
        Assert.Equal(3, lines.Length); // header, ::1, ::3 — the deleted lease is gone
        using var reopened = Open(live);
        Assert.Equal(["2001:db8::1", "2001:db8::3"], reopened.GetAll().Select(l => l.Address.ToString()).Order());
    }
}
