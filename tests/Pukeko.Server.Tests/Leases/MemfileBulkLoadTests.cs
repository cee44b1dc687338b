using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Leases;

/// <summary>
/// The index a lease file is loaded into (built in bulk) answers every query as the index built one lease at a
/// time by the store that wrote the file, and stays consistent through changes made after the load.
/// </summary>
public sealed class MemfileBulkLoadTests
{
    private static readonly string[] Hostnames = ["", "a.example", "A.Example", "b.example"];
    private static readonly LeaseState[] States = [LeaseState.Default, LeaseState.Declined, LeaseState.ExpiredReclaimed, LeaseState.Released, LeaseState.Registered];

    [Fact]
    public void Loaded_index_answers_like_the_one_that_wrote_the_file()
    {
        // Leases on 40 addresses from 5 clients: shared DUIDs, hostnames differing in case, hardware addresses,
        // every state, finite and infinite lifetimes, two subnets; then a few changes to both stores.
        var lease = Gen.Select(Gen.Int[1, 40], Gen.Byte[1, 5], Gen.UInt[1, 2], Gen.Bool, Gen.Int[0, 4], Gen.OneOf(10u, 100u, Lease6.InfiniteLifetime), Gen.Int[0, 3], Gen.Bool);
        var change = Gen.Select(Gen.Bool, Gen.Int[1, 40], Gen.Int[0, 3]);
        Gen.Select(lease.Array[0, 40], change.Array[0, 10]).Sample((leases, changes) =>
        {
            // CsCheck runs samples in parallel: each has its own lease file.
            using var dir = new LeaseTestDirectory();
            using var writer = OpenStore(dir.LeaseFile);
            foreach (var (host, client, iaid, pd, state, valid, hostname, hardware) in leases)
            {
                writer.Add(Sample(host, client, iaid, pd, state, valid, hostname, hardware));
            }

            using var loaded = OpenStore(dir.LeaseFile);
            Assert.True(loaded.IndexesConsistent());
            AssertSameAnswers(writer, loaded);

            foreach (var (remove, host, hostname) in changes)
            {
                if (writer.Get(Ipv6Address.Parse("2001:db8::" + host)) is not { } stored)
                {
                    continue;
                }

                if (remove)
                {
                    Assert.Equal(writer.Remove(stored), loaded.Remove(stored));
                }
                else
                {
                    stored.Hostname = Hostnames[hostname];
                    stored.State = LeaseState.Default;
                    Assert.Equal(writer.Replace(stored), loaded.Replace(stored));
                }
            }

            Assert.True(loaded.IndexesConsistent());
            AssertSameAnswers(writer, loaded);
        }, iter: 100);
    }

    [Fact]
    public void Loaded_index_replays_overwrites_and_deletions_like_the_store_that_wrote_them()
    {
        // The file is a log of adds, updates (a new client, hostname or state for an address) and deletions on 150
        // addresses: the replay overwrites records in place, frees and reuses them, and grows and shrinks the address
        // table as it goes.
        var operation = Gen.Select(Gen.Int[0, 2], Gen.Select(Gen.Int[1, 150], Gen.Byte[1, 5], Gen.UInt[1, 2], Gen.Bool, Gen.Int[0, 4], Gen.OneOf(10u, 100u, Lease6.InfiniteLifetime), Gen.Int[0, 3], Gen.Bool));
        operation.Array[0, 400].Sample(operations =>
        {
            using var dir = new LeaseTestDirectory();
            using var writer = OpenStore(dir.LeaseFile);
            foreach (var (kind, (host, client, iaid, pd, state, valid, hostname, hardware)) in operations)
            {
                var lease = Sample(host, client, iaid, pd, state, valid, hostname, hardware);
                switch (kind)
                {
                    case 0:
                        writer.Add(lease);
                        break;
                    case 1:
                        writer.Replace(lease);
                        break;
                    default:
                        if (writer.Get(lease.Address) is { } stored)
                        {
                            writer.Remove(stored);
                        }

                        break;
                }
            }

            using var loaded = OpenStore(dir.LeaseFile);
            Assert.True(loaded.IndexesConsistent());
            AssertSameAnswers(writer, loaded);
        }, iter: 60);
    }

    private static MemfileLeaseStore OpenStore(string leaseFile)
    {
        var store = new MemfileLeaseStore(new MemfileOptions(leaseFile, LfcIntervalSeconds: 0), NullLogger.Instance, TimeProvider.System);
        store.Open();
        return store;
    }

    private static Lease6 Sample(int host, byte client, uint iaid, bool pd, int state, uint valid, int hostname, bool hardware)
    {
        var lease = LeaseSamples.Na("2001:db8::" + host, client, iaid, cltt: 1_700_000_000 + host, valid: valid);
        if (pd)
        {
            lease.Type = LeaseType.PD;
            lease.PrefixLength = 64;
        }

        lease.State = States[state];
        lease.SubnetId = 1 + (uint)(host % 2);
        lease.Hostname = Hostnames[hostname];
        if (hardware)
        {
            lease.HardwareAddress = [0x02, 0, 0, 0, 0, client];
            lease.HardwareType = 1;
        }

        return lease;
    }

    private static void AssertSameAnswers(MemfileLeaseStore expected, MemfileLeaseStore actual)
    {
        Assert.Equal(Sorted(expected.GetAll()), Sorted(actual.GetAll()));
        for (byte client = 1; client <= 5; client++)
        {
            var duid = LeaseSamples.Duid(client);
            Assert.Equal(Sorted(expected.GetByDuid(duid)), Sorted(actual.GetByDuid(duid)));
            Assert.Equal(Sorted(expected.GetByHardwareAddress([0x02, 0, 0, 0, 0, client])), Sorted(actual.GetByHardwareAddress([0x02, 0, 0, 0, 0, client])));
            foreach (var type in (ReadOnlySpan<LeaseType>)[LeaseType.NA, LeaseType.PD])
            {
                for (uint iaid = 1; iaid <= 2; iaid++)
                {
                    Assert.Equal(Sorted(expected.GetByClient(duid, iaid, type)), Sorted(actual.GetByClient(duid, iaid, type)));
                }
            }
        }

        foreach (var hostname in Hostnames.Where(h => h.Length > 0))
        {
            Assert.Equal(Sorted(expected.GetByHostname(hostname)), Sorted(actual.GetByHostname(hostname)));
        }

        foreach (var state in States)
        {
            Assert.Equal(Sorted(expected.GetByState(state)), Sorted(actual.GetByState(state)));
        }

        Assert.Equal(Sorted(expected.GetBySubnet(1)), Sorted(actual.GetBySubnet(1)));
        Assert.Equal(LeaseRows.Rows(expected.GetPage(null, 100)), LeaseRows.Rows(actual.GetPage(null, 100)));
        Assert.Equal(LeaseRows.Rows(expected.GetExpired(1_700_000_200, 0)), LeaseRows.Rows(actual.GetExpired(1_700_000_200, 0)));
    }

    private static string[] Sorted(IEnumerable<Lease6> leases) => [.. LeaseRows.Rows(leases).Order(StringComparer.Ordinal)];
}
