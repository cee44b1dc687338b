using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>The queries the lease commands need: by subnet, pages in address order, by hostname, and lease6-write.</summary>
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
    public void The_default_interface_implementation_agrees_with_memfile()
    {
        using var store = Open();
        foreach (var a in new[] { "2001:db8::5", "2001:db8::1", "2001:db8::9", "2001:db8::3" })
        {
            store.Add(Lease(a, subnet: a.EndsWith('9') ? 2u : 1u, hostname: a.EndsWith('1') ? "Host.Example" : ""));
        }

        ILeaseStore generic = new SlowLeaseStore(store);
        Assert.Equal(store.GetPage(Ipv6Address.Parse("2001:db8::1"), 2).Select(l => l.Address), generic.GetPage(Ipv6Address.Parse("2001:db8::1"), 2).Select(l => l.Address));
        Assert.Equal(["2001:db8::9"], store.GetBySubnet(2).Select(l => l.Address.ToString()));
        Assert.Equal(store.GetBySubnet(1).Count, generic.GetBySubnet(1).Count);
        Assert.Equal("2001:db8::1", Assert.Single(store.GetByHostname("host.example")).Address.ToString());
        Assert.Single(generic.GetByHostname("HOST.EXAMPLE"));
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
