using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pukeko.Protocol.Addressing;
using Pukeko.Server.Control;
using Pukeko.Server.Leases;
using Pukeko.Server.Leases.Memfile;
using Pukeko.Server.Tests.Support;

namespace Pukeko.Server.Tests.Control;

/// <summary>
/// lease6-update, lease6-del and lease6-bulk-apply when another writer changes the same lease between the command's
/// read and its write. An HA partner does this: a client's retransmitted Request commits the lease again, and the partner's updates
/// for both arrive together (after a stall), each on its own connection. The command reads again and applies its
/// lease; before, it answered "the lease changed meanwhile" (result 1), which the sender logs as HA_LEASE_UPDATE_FAILED.
/// </summary>
public sealed class LeaseCommandRaceTests : IDisposable
{
    private static readonly Ipv6Address Address = Ipv6Address.Parse("2001:db8:1::11");
    private static readonly byte[] Duid = [0x1a, 0x1b, 0x1c, 0x1d];

    private readonly TempDirectory _directory = new();
    private readonly MemfileLeaseStore _store;

    public LeaseCommandRaceTests()
    {
        _store = new MemfileLeaseStore(new MemfileOptions(Path.Combine(_directory.Path, "shared.csv"), Persist: false, LfcIntervalSeconds: 0), NullLogger.Instance, TimeProvider.System);
        _store.Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// The lease database of the server under test; another writer stores its own version of the lease (same client,
    /// a later cltt) right after each of the first <paramref name="races"/> reads of it.
    /// </summary>
    private sealed class RacedReads(ILeaseStore inner, int races) : DelegatingLeaseStore(inner)
    {
        private int _racesLeft = races;

        public int OtherWrites { get; private set; }

        public override async ValueTask<Lease6?> GetAsync(Ipv6Address address, CancellationToken cancellationToken = default)
        {
            var read = await Inner.GetAsync(address, cancellationToken);
            if (address == Address && Interlocked.Decrement(ref _racesLeft) >= 0)
            {
                var theirs = read?.Clone() ?? NewLease(cltt: 1_700_000_000);
                theirs.Cltt++;
                await using var work = Inner.BeginWork();
                var written = read is null ? await work.InsertAsync(theirs, cancellationToken) : await work.UpdateAsync(read, theirs, cancellationToken);
                Assert.Equal(LeaseWriteResult.Written, written);
                await work.CommitAsync(cancellationToken);
                OtherWrites++;
            }

            return read;
        }
    }

    private static Lease6 NewLease(long cltt) => new()
    {
        Address = Address,
        Duid = Duid,
        Iaid = 7,
        SubnetId = 1,
        Cltt = cltt,
        ValidLifetime = 4000,
        PreferredLifetime = 3000,
    };

    private static string BulkApply(long expire) => $$"""
        {"command": "lease6-bulk-apply", "arguments": {"deleted-leases": [], "leases": [
          {"ip-address": "{{Address}}", "duid": "1a:1b:1c:1d", "iaid": 7, "subnet-id": 1, "type": "IA_NA",
           "valid-lft": 4000, "preferred-lft": 3000, "expire": {{expire}}, "state": 0, "hostname": "mine"} ]
        } }
        """;

    private static JsonObject Dhcp6()
    {
        var dhcp6 = ControlTestServer.DefaultDhcp6();
        dhcp6["lease-database"] = new JsonObject { ["type"] = "postgresql", ["name"] = "shared" };
        dhcp6["hooks-libraries"] = JsonNode.Parse("""[ { "library": "libdhcp_lease_cmds.so" } ]""");
        return dhcp6;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_bulk_applied_lease_that_another_writer_changed_meanwhile_is_read_again_and_applied(int races)
    {
        var other = new RacedReads(_store, races);
        await using var server = await ControlTestServer.StartAsync(Dhcp6(), leaseDatabase: other);
        await using (var work = _store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await work.InsertAsync(NewLease(cltt: 1_700_000_000)));
            await work.CommitAsync();
        }

        var answer = await server.CommandAsync(BulkApply(expire: 1_800_004_000));

        ControlAssert.Result(answer, ControlResult.Success, "Bulk apply of 1 IPv6 leases completed.");
        Assert.Equal(races, other.OtherWrites);
        var stored = _store.Get(Address)!;
        Assert.Equal((1_800_000_000L, "mine"), (stored.Cltt, stored.Hostname));
    }

    [Fact]
    public async Task A_bulk_applied_lease_that_another_writer_added_meanwhile_is_updated_not_refused()
    {
        var other = new RacedReads(_store, races: 1);
        await using var server = await ControlTestServer.StartAsync(Dhcp6(), leaseDatabase: other);

        var answer = await server.CommandAsync(BulkApply(expire: 1_800_004_000));

        ControlAssert.Result(answer, ControlResult.Success, "Bulk apply of 1 IPv6 leases completed.");
        Assert.Equal(1, other.OtherWrites);
        Assert.Equal((1_800_000_000L, "mine"), (_store.Get(Address)!.Cltt, _store.Get(Address)!.Hostname));
    }

    [Theory]
    [InlineData("""{"command": "lease6-del", "arguments": {"ip-address": "2001:db8:1::11"}}""", "IPv6 lease deleted.")]
    [InlineData("""{"command": "lease6-bulk-apply", "arguments": {"deleted-leases": [ {"ip-address": "2001:db8:1::11", "type": "IA_NA"} ], "leases": []}}""", "Bulk apply of 1 IPv6 leases completed.")]
    public async Task A_lease_updated_meanwhile_for_the_same_client_is_still_deleted(string command, string text)
    {
        var other = new RacedReads(_store, races: 1);
        await using var server = await ControlTestServer.StartAsync(Dhcp6(), leaseDatabase: other);
        await using (var work = _store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await work.InsertAsync(NewLease(cltt: 1_700_000_000)));
            await work.CommitAsync();
        }

        var answer = await server.CommandAsync(command);

        ControlAssert.Result(answer, ControlResult.Success, text);
        Assert.Equal(1, other.OtherWrites);
        Assert.Null(_store.Get(Address));
    }

    [Fact]
    public async Task A_lease_that_keeps_changing_is_refused_after_three_attempts_with_keas_error()
    {
        var other = new RacedReads(_store, races: int.MaxValue);
        await using var server = await ControlTestServer.StartAsync(Dhcp6(), leaseDatabase: other);
        await using (var work = _store.BeginWork())
        {
            Assert.Equal(LeaseWriteResult.Written, await work.InsertAsync(NewLease(cltt: 1_700_000_000)));
            await work.CommitAsync();
        }

        var answer = await server.CommandAsync("""
            {"command": "lease6-update", "arguments": {"ip-address": "2001:db8:1::11", "duid": "1a:1b:1c:1d", "iaid": 7, "subnet-id": 1, "hostname": "mine"}}
            """);

        ControlAssert.Result(answer, ControlResult.Error, "failed to update the lease with address 2001:db8:1::11 - the lease changed meanwhile, try again");
        Assert.NotEqual("mine", _store.Get(Address)!.Hostname);

        // Three attempts, each reading once to find the lease and once under the client's claim.
        Assert.Equal(6, other.OtherWrites);
    }
}
