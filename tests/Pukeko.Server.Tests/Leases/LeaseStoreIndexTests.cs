using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>Index behaviour of the store, in memory only (Persist=false).</summary>
public class LeaseStoreIndexTests
{
    // One change to the store and to the model of it, which must agree on whether it was made: 0 adds, 1 updates,
    // anything else removes.
    private static void ApplyToBoth(MemfileLeaseStore store, Dictionary<Ipv6Address, Lease6> model, int kind, Lease6 lease)
    {
        switch (kind)
        {
            case 0:
                Assert.Equal(model.TryAdd(lease.Address, lease), store.Add(lease));
                break;
            case 1:
                var known = model.ContainsKey(lease.Address);
                Assert.Equal(known, store.Replace(lease));
                if (known)
                {
                    model[lease.Address] = lease;
                }

                break;
            default:
                Assert.Equal(model.Remove(lease.Address), store.Remove(lease));
                break;
        }
    }

    private static MemfileLeaseStore NewStore()
    {
        var store = new MemfileLeaseStore(new MemfileOptions("unused", Persist: false), NullLogger.Instance, TimeProvider.System);
        store.Open();
        return store;
    }

    [Fact]
    public void Add_then_get_by_every_key()
    {
        using var store = NewStore();
        var a = LeaseSamples.Na("2001:db8::1", client: 1, iaid: 10);
        var b = LeaseSamples.Na("2001:db8::2", client: 1, iaid: 11);
        var c = LeaseSamples.Pd("2001:db8:f::", 60, client: 1, iaid: 10);
        var d = LeaseSamples.Na("2001:db8::3", client: 2, iaid: 10);
        Assert.True(store.Add(a));
        Assert.True(store.Add(b));
        Assert.True(store.Add(c));
        Assert.True(store.Add(d));

        Assert.Equal(4, store.Count);
        Assert.Equal(LeaseRows.Row(a), LeaseRows.Row(store.Get(a.Address)!));
        Assert.Null(store.Get(Ipv6Address.Parse("2001:db8::99")));

        Assert.Equal([LeaseRows.Row(a)], LeaseRows.Rows(store.GetByClient(LeaseSamples.Duid(1), 10, LeaseType.NA)));
        Assert.Equal([LeaseRows.Row(c)], LeaseRows.Rows(store.GetByClient(LeaseSamples.Duid(1), 10, LeaseType.PD)));
        Assert.Empty(store.GetByClient(LeaseSamples.Duid(1), 12, LeaseType.NA));
        Assert.Equal(LeaseRows.Rows([a, b, c]), LeaseRows.Rows(store.GetByDuid(LeaseSamples.Duid(1))));
        Assert.Equal([LeaseRows.Row(d)], LeaseRows.Rows(store.GetByDuid(LeaseSamples.Duid(2))));
        Assert.Empty(store.GetByDuid(LeaseSamples.Duid(3)));
        Assert.Equal(LeaseRows.Rows([a, b, c, d]), LeaseRows.Rows(store.GetAll()));
    }

    [Fact]
    public void Add_of_taken_address_fails_and_keeps_the_first()
    {
        using var store = NewStore();
        Assert.True(store.Add(LeaseSamples.Na("2001:db8::1", client: 1)));
        Assert.False(store.Add(LeaseSamples.Na("2001:db8::1", client: 2)));
        Assert.Equal(LeaseSamples.Duid(1), store.Get(Ipv6Address.Parse("2001:db8::1"))!.Duid);
        Assert.Single(store.GetAll());
    }

    [Fact]
    public void Update_moves_the_lease_between_client_keys()
    {
        using var store = NewStore();
        var lease = LeaseSamples.Na("2001:db8::1", client: 1, iaid: 1);
        store.Add(lease);

        lease.Duid = LeaseSamples.Duid(2);
        lease.Iaid = 5;
        lease.Hostname = "moved";
        Assert.True(store.Replace(lease));

        Assert.Empty(store.GetByClient(LeaseSamples.Duid(1), 1, LeaseType.NA));
        Assert.Empty(store.GetByDuid(LeaseSamples.Duid(1)));
        Assert.Equal("moved", Assert.Single(store.GetByClient(LeaseSamples.Duid(2), 5, LeaseType.NA)).Hostname);
        Assert.Single(store.GetByDuid(LeaseSamples.Duid(2)));
        Assert.True(store.IndexesConsistent());
    }

    [Fact]
    public void Update_and_delete_of_unknown_address_fail()
    {
        using var store = NewStore();
        Assert.False(store.Replace(LeaseSamples.Na("2001:db8::1")));
        Assert.False(store.Remove(LeaseSamples.Na("2001:db8::1")));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Delete_removes_from_every_index()
    {
        using var store = NewStore();
        var lease = LeaseSamples.Na("2001:db8::1", cltt: 0, valid: 10);
        store.Add(lease);
        Assert.True(store.Remove(lease));
        Assert.Null(store.Get(lease.Address));
        Assert.Empty(store.GetByClient(lease.Duid, lease.Iaid, lease.Type));
        Assert.Empty(store.GetByDuid(lease.Duid));
        Assert.Empty(store.GetExpired(1000, 0));
        Assert.Equal(0, store.Count);
        Assert.False(store.Remove(lease));
    }

    [Fact]
    public void Returned_leases_are_independent_copies()
    {
        using var store = NewStore();
        var original = LeaseSamples.Full();
        store.Add(original);

        // Mutating the caller's object after Add must not reach the store.
        original.Hostname = "after-add";
        original.Duid[0] = 0xEE;

        var first = store.Get(original.Address)!;
        first.Hostname = "mutated";
        first.Duid[0] = 0xFF;
        first.HardwareAddress![0] = 0xFF;
        first.ValidLifetime = 1;

        var second = store.Get(original.Address)!;
        Assert.Equal(LeaseRows.Row(LeaseSamples.Full()), LeaseRows.Row(second));
        Assert.Single(store.GetByDuid(LeaseSamples.Duid(9)));

        var listed = store.GetByDuid(LeaseSamples.Duid(9))[0];
        listed.Hostname = "x";
        Assert.Equal(LeaseSamples.Full().Hostname, store.GetAll()[0].Hostname);
    }

    [Fact]
    public void GetExpired_returns_due_unreclaimed_leases_oldest_first_up_to_max()
    {
        using var store = NewStore();
        store.Add(LeaseSamples.Na("2001:db8::3", cltt: 300, valid: 100)); // expires 400
        store.Add(LeaseSamples.Na("2001:db8::1", cltt: 100, valid: 100)); // 200
        store.Add(LeaseSamples.Na("2001:db8::2", cltt: 100, valid: 100)); // 200, tie broken by address
        store.Add(LeaseSamples.Na("2001:db8::4", cltt: 400, valid: 100)); // 500: not due at 450
        store.Add(LeaseSamples.Na("2001:db8::5", cltt: 0, valid: Lease6.InfiniteLifetime));
        var reclaimed = LeaseSamples.Na("2001:db8::6", cltt: 0, valid: 50);
        reclaimed.State = LeaseState.ExpiredReclaimed;
        store.Add(reclaimed);
        var declined = LeaseSamples.Na("2001:db8::7", cltt: 0, valid: 1);
        declined.Decline(100, 250); // expires 350
        store.Add(declined);

        static string[] Addresses(IReadOnlyList<Lease6> leases) => leases.Select(l => l.Address.ToString()).ToArray();

        Assert.Equal(["2001:db8::1", "2001:db8::2", "2001:db8::7", "2001:db8::3"], Addresses(store.GetExpired(450, 0)));
        Assert.Equal(["2001:db8::1", "2001:db8::2"], Addresses(store.GetExpired(450, 2)));
        Assert.Equal(["2001:db8::1", "2001:db8::2"], Addresses(store.GetExpired(200, 0))); // expire <= now
        Assert.Empty(store.GetExpired(199, 0));
    }

    [Fact]
    public void GetExpired_follows_updates()
    {
        using var store = NewStore();
        var lease = LeaseSamples.Na("2001:db8::1", cltt: 100, valid: 100);
        store.Add(lease);
        Assert.Single(store.GetExpired(250, 0));

        lease.Cltt = 1000; // renewed
        store.Replace(lease);
        Assert.Empty(store.GetExpired(250, 0));

        lease.Cltt = 100;
        lease.State = LeaseState.ExpiredReclaimed;
        store.Replace(lease);
        Assert.Empty(store.GetExpired(250, 0));
        Assert.True(store.IndexesConsistent());
    }

    [Fact]
    public void DeleteExpiredReclaimed_removes_only_old_reclaimed_leases()
    {
        using var store = NewStore();
        var old = LeaseSamples.Na("2001:db8::1", cltt: 0, valid: 100); // expire 100
        old.State = LeaseState.ExpiredReclaimed;
        var recent = LeaseSamples.Na("2001:db8::2", cltt: 0, valid: 200); // expire 200
        recent.State = LeaseState.ExpiredReclaimed;
        var active = LeaseSamples.Na("2001:db8::3", cltt: 0, valid: 50); // expired but not reclaimed
        store.Add(old);
        store.Add(recent);
        store.Add(active);

        Assert.Empty(store.DeleteExpiredReclaimed(100)); // strict: expire < olderThan
        Assert.Equal(old.Address, Assert.Single(store.DeleteExpiredReclaimed(150)).Address);
        Assert.Null(store.Get(old.Address));
        Assert.NotNull(store.Get(recent.Address));
        Assert.NotNull(store.Get(active.Address));
        Assert.Equal(recent.Address, Assert.Single(store.DeleteExpiredReclaimed(10_000)).Address);
        Assert.Equal(1, store.Count);
        Assert.True(store.IndexesConsistent());
    }

    [Fact]
    public void Random_operation_sequences_keep_indexes_consistent_with_a_model()
    {
        // Operations on 8 addresses, 3 clients, 2 IAIDs, both types, random lifetimes and states.
        var operation = Gen.Select(Gen.Int[0, 2], Gen.Int[1, 8], Gen.Byte[1, 3], Gen.UInt[1, 2], Gen.Bool, Gen.Int[0, 4], Gen.OneOf(10u, 100u, Lease6.InfiniteLifetime));
        operation.Array[1, 60].Sample(ops =>
        {
            using var store = NewStore();
            var model = new Dictionary<Ipv6Address, Lease6>();
            foreach (var (kind, host, client, iaid, pd, state, valid) in ops)
            {
                var lease = LeaseSamples.Na("2001:db8::" + host, client, iaid, cltt: host * 10, valid: valid);
                if (pd)
                {
                    lease.Type = LeaseType.PD;
                    lease.PrefixLength = 64;
                }

                lease.State = (LeaseState)state;
                ApplyToBoth(store, model, kind, lease);
            }

            Assert.True(store.IndexesConsistent());
            Assert.Equal(LeaseRows.Rows(model.Values), LeaseRows.Rows(store.GetAll()));
            foreach (var group in model.Values.GroupBy(l => (Convert.ToHexString(l.Duid), l.Iaid, l.Type)))
            {
                var first = group.First();
                Assert.Equal(LeaseRows.Rows(group), LeaseRows.Rows(store.GetByClient(first.Duid, first.Iaid, first.Type)));
            }

            var expected = model.Values
                .Where(l => l.State != LeaseState.ExpiredReclaimed && l.ValidLifetime != Lease6.InfiniteLifetime && l.Expire <= 150)
                .OrderBy(l => l.Expire).ThenBy(l => l.Address).Select(LeaseRows.Row).ToArray();
            Assert.Equal(expected, store.GetExpired(150, 0).Select(LeaseRows.Row).ToArray());
        }, iter: 300);
    }

    [Fact]
    public void Random_operations_on_many_leases_keep_indexes_consistent_with_a_model()
    {
        // 600 addresses and 50 clients: the hash tables grow, their runs collide, and removals and client changes
        // shift entries; hostnames, hardware addresses and user contexts come and go with the updates.
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[1, 600], Gen.Byte[1, 50], Gen.UInt[1, 3], Gen.Int[0, 4], Gen.Int[0, 3], Gen.Int[0, 2]);
        operation.Array[200, 2_000].Sample(ops =>
        {
            using var store = NewStore();
            var model = new Dictionary<Ipv6Address, Lease6>();
            foreach (var (kind, host, client, iaid, state, text, hardware) in ops)
            {
                var lease = LeaseSamples.Na("2001:db8::" + host.ToString("x"), client, iaid, cltt: host, valid: (uint)(100 + client));
                lease.State = (LeaseState)state;
                lease.Hostname = text is 1 or 3 ? $"host{client}.example.org" : string.Empty;
                lease.UserContext = text >= 2 ? $"{{ \"n\": {host} }}" : null;
                lease.HardwareAddress = hardware switch { 0 => null, 1 => [], _ => [2, 0, 0, 0, 0, client] };
                lease.HardwareType = (ushort)(hardware == 2 ? 1 : 0);
                ApplyToBoth(store, model, kind switch { 0 => 0, 1 or 2 => 1, _ => 2 }, lease);
            }

            Assert.True(store.IndexesConsistent());
            Assert.Equal(LeaseRows.Rows(model.Values), LeaseRows.Rows(store.GetAll()));
            foreach (var group in model.Values.GroupBy(l => Convert.ToHexString(l.Duid)))
            {
                Assert.Equal(LeaseRows.Rows(group), LeaseRows.Rows(store.GetByDuid(group.First().Duid)));
                foreach (var client in group.GroupBy(l => l.Iaid))
                {
                    Assert.Equal(LeaseRows.Rows(client), LeaseRows.Rows(store.GetByClient(client.First().Duid, client.Key, LeaseType.NA)));
                }
            }

            foreach (var group in model.Values.Where(l => l.Hostname.Length > 0).GroupBy(l => l.Hostname))
            {
                Assert.Equal(LeaseRows.Rows(group), LeaseRows.Rows(store.GetByHostname(group.Key)));
            }

            Assert.Equal(
                LeaseRows.Rows(model.Values.Where(l => l.State == LeaseState.Declined)),
                LeaseRows.Rows(store.GetByState(LeaseState.Declined)));
        }, iter: 40);
    }

    [Fact]
    public void Declined_leases_share_one_duid_and_are_found_by_it_through_declines_updates_and_removals()
    {
        using var store = NewStore();
        for (var host = 1; host <= 300; host++)
        {
            Assert.True(store.Add(LeaseSamples.Na("2001:db8::" + host.ToString("x"), (byte)(host % 7 + 1), iaid: (uint)host)));
        }

        // Two thirds declined (one DUID for all of them), then some of those given back to a client, some removed.
        for (var host = 1; host <= 300; host++)
        {
            var lease = store.Get(Ipv6Address.Parse("2001:db8::" + host.ToString("x")))!;
            if (host % 3 != 0)
            {
                lease.Decline(probationPeriod: 600, now: 1_700_000_000);
                Assert.True(store.Replace(lease));
            }
        }

        for (var host = 1; host <= 300; host += 10)
        {
            var lease = store.Get(Ipv6Address.Parse("2001:db8::" + host.ToString("x")))!;
            if (lease.State == LeaseState.Declined && host % 20 == 1)
            {
                Assert.True(store.Replace(LeaseSamples.Na("2001:db8::" + host.ToString("x"), 9, iaid: 1)));
            }
            else
            {
                Assert.True(store.Remove(lease));
            }
        }

        Assert.True(store.IndexesConsistent());
        var all = store.GetAll();
        Assert.Equal(
            LeaseRows.Rows(all.Where(l => l.Duid.AsSpan().SequenceEqual(Lease6.DeclinedDuid))),
            LeaseRows.Rows(store.GetByDuid(Lease6.DeclinedDuid.ToArray())));
        Assert.Equal(LeaseRows.Rows(all.Where(l => l.State == LeaseState.Declined)), LeaseRows.Rows(store.GetByDuid(Lease6.DeclinedDuid.ToArray())));
        Assert.Equal(LeaseRows.Rows(all.Where(l => l.Duid.AsSpan().SequenceEqual(LeaseSamples.Duid(9)))), LeaseRows.Rows(store.GetByClient(LeaseSamples.Duid(9), 1, LeaseType.NA)));
        Assert.NotEmpty(store.GetByClient(LeaseSamples.Duid(9), 1, LeaseType.NA));
        Assert.Equal(
            LeaseRows.Rows(all.Where(l => l.Duid.AsSpan().SequenceEqual(LeaseSamples.Duid(3)))),
            LeaseRows.Rows(store.GetByDuid(LeaseSamples.Duid(3))));
    }
}
